/**
 * BEP 3 bitfields: piece i is bit (7 - i % 8) of byte i / 8, high bit first. Spare bits at the end
 * must be zero (a peer that sets them is broken). Plain Uint8Array, so it travels on the wire as is.
 */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, b) => {
  let n = 0;
  for (let x = b; x; x >>= 1) n += x & 1;
  return n;
});

export class Bitfield {
  readonly bytes: Uint8Array;
  /** Set bits, kept as bits change so count() and complete() cost nothing per call. */
  private setBits = 0;

  constructor(
    readonly length: number,
    bytes?: Uint8Array,
  ) {
    this.bytes = bytes ? bytes.slice() : new Uint8Array(Bitfield.byteLength(length));
    if (bytes) for (const b of this.bytes) this.setBits += POPCOUNT[b]!;
  }

  static byteLength(pieces: number): number {
    return Math.ceil(pieces / 8);
  }

  /** A received bitfield, or null when its size is wrong or spare bits are set. */
  static fromWire(bytes: Uint8Array, pieces: number): Bitfield | null {
    if (bytes.length !== Bitfield.byteLength(pieces)) return null;
    const spare = bytes.length * 8 - pieces;
    if (spare > 0 && (bytes[bytes.length - 1]! & ((1 << spare) - 1)) !== 0) return null;
    return new Bitfield(pieces, bytes);
  }

  get(i: number): boolean {
    return i >= 0 && i < this.length && (this.bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0;
  }

  set(i: number, value = true): void {
    if (i < 0 || i >= this.length || this.get(i) === value) return;
    if (value) this.bytes[i >> 3]! |= 0x80 >> (i & 7);
    else this.bytes[i >> 3]! &= ~(0x80 >> (i & 7));
    this.setBits += value ? 1 : -1;
  }

  count(): number {
    return this.setBits;
  }

  complete(): boolean {
    return this.setBits === this.length;
  }

  /** Compact fixture form, "1010…", for tests and the teaching demo. */
  toString(): string {
    let s = '';
    for (let i = 0; i < this.length; i++) s += this.get(i) ? '1' : '0';
    return s;
  }

  static fromString(s: string): Bitfield {
    const b = new Bitfield(s.length);
    for (let i = 0; i < s.length; i++) if (s[i] === '1') b.set(i);
    return b;
  }
}
