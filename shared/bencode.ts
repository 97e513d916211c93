/**
 * Bencode (BEP 3) through the `bencode` package, plus the one thing it cannot do: tell us where a
 * value sits in the original bytes. The info hash is the SHA-1 of the info dictionary *exactly as it
 * appears in the file*, so re-encoding a decoded dictionary is not good enough for torrents made by
 * other tools. `valueEnd` also validates syntax strictly before the lenient package decoder sees it.
 */
import bencode from 'bencode';
import { TabswarmError } from './errors.ts';

/** Nesting deeper than this is refused: no torrent needs it, and unbounded recursion is a crash. */
export const MAX_BENCODE_DEPTH = 64;

const CH_D = 0x64; // 'd'
const CH_L = 0x6c; // 'l'
const CH_I = 0x69; // 'i'
const CH_E = 0x65; // 'e'
const CH_COLON = 0x3a;
const CH_MINUS = 0x2d;
const CH_0 = 0x30;
const CH_9 = 0x39;

function fail(message: string, pos: number): never {
  throw new TabswarmError('BENCODE_INVALID', `Malformed bencode at byte ${pos}: ${message}.`);
}

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= CH_0 && c <= CH_9;

/** End (exclusive) of the byte string starting at `pos`, validating `<len>:<bytes>`. */
function stringEnd(data: Uint8Array, pos: number): { start: number; end: number } {
  let i = pos;
  if (!isDigit(data[i])) fail('expected a string length', pos);
  // Leading zeros are not canonical ("03:abc"): BEP 3 encodings are unique.
  if (data[i] === CH_0 && data[i + 1] !== CH_COLON) fail('string length has a leading zero', pos);
  let len = 0;
  while (isDigit(data[i])) {
    len = len * 10 + (data[i]! - CH_0);
    if (len > data.length) fail('string length runs past the end of the data', pos);
    i++;
  }
  if (data[i] !== CH_COLON) fail('expected ":" after a string length', i);
  const start = i + 1;
  const end = start + len;
  if (end > data.length) fail('string runs past the end of the data', pos);
  return { start, end };
}

/**
 * Returns the index just past the bencoded value starting at `pos`. Throws BENCODE_INVALID for
 * anything not strictly canonical in syntax (integers without leading zeros or "-0", strings with
 * exact lengths, dictionary keys that are strings). Key order is not enforced: real torrents exist
 * with unsorted keys, and their info hash is still defined by their bytes.
 */
export function valueEnd(data: Uint8Array, pos: number, depth = 0): number {
  if (depth > MAX_BENCODE_DEPTH) fail(`nested deeper than ${MAX_BENCODE_DEPTH} levels`, pos);
  const c = data[pos];
  if (c === undefined) fail('unexpected end of data', pos);
  if (c === CH_I) {
    let i = pos + 1;
    if (data[i] === CH_MINUS) i++;
    const digitsStart = i;
    while (isDigit(data[i])) i++;
    const digits = i - digitsStart;
    if (digits === 0) fail('integer has no digits', pos);
    if (data[i] !== CH_E) fail('integer not terminated by "e"', i);
    if (data[digitsStart] === CH_0 && (digits > 1 || digitsStart !== pos + 1)) {
      fail('integer has a leading zero or is "-0"', pos);
    }
    return i + 1;
  }
  if (c === CH_L || c === CH_D) {
    let i = pos + 1;
    while (data[i] !== CH_E) {
      if (data[i] === undefined) fail(c === CH_L ? 'list not terminated' : 'dictionary not terminated', pos);
      if (c === CH_D) i = stringEnd(data, i).end;
      i = valueEnd(data, i, depth + 1);
    }
    return i + 1;
  }
  return stringEnd(data, pos).end;
}

/** The exact bytes of each value of a top-level dictionary, by key (keys decoded as latin1). */
export function dictionarySpans(data: Uint8Array): Map<string, { start: number; end: number }> {
  if (data[0] !== CH_D) fail('expected a dictionary', 0);
  const spans = new Map<string, { start: number; end: number }>();
  let i = 1;
  while (data[i] !== CH_E) {
    if (data[i] === undefined) fail('dictionary not terminated', 0);
    const key = stringEnd(data, i);
    const k = String.fromCharCode(...data.subarray(key.start, key.end));
    const end = valueEnd(data, key.end, 1);
    if (spans.has(k)) fail(`duplicate key "${k}"`, i);
    spans.set(k, { start: key.end, end });
    i = end;
  }
  return spans;
}

export type BencodeValue = number | Uint8Array | BencodeValue[] | { [key: string]: BencodeValue };

/** Decodes one complete bencoded value; trailing bytes or bad syntax throw BENCODE_INVALID. */
export function bdecode(data: Uint8Array): BencodeValue {
  const end = valueEnd(data, 0);
  if (end !== data.length) fail(`${data.length - end} trailing bytes after the value`, end);
  // Validated above, so the package's lenient decoder only sees well-formed input.
  return bencode.decode(data) as BencodeValue;
}

/** Decodes a bencoded value at the start of `data` and reports where it ends (BEP 9 data messages carry raw bytes after the dict). */
export function bdecodePrefix(data: Uint8Array): { value: BencodeValue; end: number } {
  const end = valueEnd(data, 0);
  return { value: bencode.decode(data.subarray(0, end)) as BencodeValue, end };
}

export function bencodeBytes(value: unknown): Uint8Array {
  const out = bencode.encode(value) as Uint8Array;
  // The package returns a Uint8Array view; normalise so callers can rely on a plain, exact array.
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

export function isDict(v: BencodeValue | undefined): v is { [key: string]: BencodeValue } {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** Own-property lookup: a hostile "__proto__" key must never read through to Object.prototype. */
export function field(dict: { [key: string]: BencodeValue }, key: string): BencodeValue | undefined {
  return Object.hasOwn(dict, key) ? dict[key] : undefined;
}
