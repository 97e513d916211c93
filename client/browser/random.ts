/** A 20-byte id as hex: a fixed client prefix (Azureus style, "-TS0100-") then random bytes. */
export function randomHexId(prefix: string): string {
  const bytes = new Uint8Array(20);
  bytes.set(new TextEncoder().encode(prefix).subarray(0, 20));
  crypto.getRandomValues(bytes.subarray(prefix.length));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
