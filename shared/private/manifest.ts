/**
 * What a private share's plaintext begins with: the real names and lengths of its files, sealed
 * with the content, so the torrent (and so the tracker, peers without the key, the server's store)
 * sees one opaque file. Layout: "TSWP", a version byte, the manifest's JSON length (u32, big-endian),
 * the JSON, then the files' bytes in order.
 */
import { TabswarmError } from '../errors.ts';
import { unsafeComponentReason } from '../metainfo/paths.ts';

const isSafePathComponent = (c: string): boolean => unsafeComponentReason(c) === null;

const MAGIC = new TextEncoder().encode('TSWP');
const VERSION = 1;
export const MANIFEST_PREFIX_BYTES = MAGIC.length + 1 + 4;
/** A folder of a million files is far below this; anything larger is not a manifest we wrote. */
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

export interface PrivateFile {
  path: string[];
  length: number;
}

export interface PrivateManifest {
  /** The share's name (the file's, or the folder's). */
  name: string;
  /** True when the share is a folder (paths below `name`). */
  multiFile: boolean;
  files: PrivateFile[];
}

export function encodeManifest(m: PrivateManifest): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ name: m.name, multiFile: m.multiFile, files: m.files.map((f) => ({ path: f.path, length: f.length })) }));
  if (json.length > MAX_MANIFEST_BYTES) throw new TabswarmError('INPUT_UNREADABLE', `Too many files for one private share (their list is ${json.length} bytes).`);
  const out = new Uint8Array(MANIFEST_PREFIX_BYTES + json.length);
  out.set(MAGIC);
  out[MAGIC.length] = VERSION;
  new DataView(out.buffer).setUint32(MAGIC.length + 1, json.length);
  out.set(json, MANIFEST_PREFIX_BYTES);
  return out;
}

function damaged(why: string): TabswarmError {
  return new TabswarmError('PRIVATE_SHARE_INVALID', `This private share's contents list is unreadable (${why}); it was not made by Tabswarm, or by a newer version.`);
}

/** The JSON's length from the prefix, after checking magic and version. */
export function manifestJsonLength(prefix: Uint8Array): number {
  if (prefix.length < MANIFEST_PREFIX_BYTES || MAGIC.some((b, i) => prefix[i] !== b)) throw damaged('no TSWP mark');
  if (prefix[MAGIC.length] !== VERSION) throw damaged(`format version ${prefix[MAGIC.length]}`);
  const length = new DataView(prefix.buffer, prefix.byteOffset).getUint32(MAGIC.length + 1);
  if (length > MAX_MANIFEST_BYTES) throw damaged(`a ${length}-byte list`);
  return length;
}

/** Checks the JSON at the boundary: names must be safe path components, lengths whole numbers, and the sum must fill the share. */
export function decodeManifest(json: Uint8Array, contentBytes: number): PrivateManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw damaged('not JSON');
  }
  const m = raw as Partial<PrivateManifest> | null;
  if (!m || typeof m.name !== 'string' || !isSafePathComponent(m.name) || typeof m.multiFile !== 'boolean' || !Array.isArray(m.files) || m.files.length === 0) throw damaged('missing fields');
  let total = 0;
  const files: PrivateFile[] = [];
  for (const f of m.files as unknown[]) {
    const file = f as Partial<PrivateFile> | null;
    if (!file || !Array.isArray(file.path) || file.path.length === 0 || !file.path.every((c) => typeof c === 'string' && isSafePathComponent(c))) throw damaged('an unsafe file path');
    if (typeof file.length !== 'number' || !Number.isSafeInteger(file.length) || file.length < 0) throw damaged('a bad file length');
    total += file.length;
    files.push({ path: [...file.path], length: file.length });
  }
  if (total !== contentBytes) throw damaged(`files of ${total} bytes in ${contentBytes} bytes of content`);
  return { name: m.name, multiFile: m.multiFile, files };
}
