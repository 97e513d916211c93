/** Builds torrents field by field, so tests can break exactly one thing at a time. */
import { bencodeBytes } from '../../shared/bencode.ts';

export function fakePieces(count: number): Uint8Array {
  return new Uint8Array(count * 20).fill(7);
}

export function singleInfo(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { length: 300_000, name: 'a.bin', 'piece length': 262_144, pieces: fakePieces(2), ...overrides };
}

export function multiInfo(files: Array<{ length: number; path: unknown }>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const total = files.reduce((s, f) => s + f.length, 0);
  return { files, name: 'folder', 'piece length': 262_144, pieces: fakePieces(Math.max(1, Math.ceil(total / 262_144))), ...overrides };
}

export function torrentWith(info: unknown, extra: Record<string, unknown> = {}): Uint8Array {
  return bencodeBytes({ announce: 'ws://localhost:8080', ...extra, info });
}

export function withoutKey(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...obj };
  delete copy[key];
  return copy;
}
