/**
 * Just enough of WebM (Matroska's EBML) to feed a file to MediaSource while it downloads: the MIME
 * type with its codecs (MediaSource refuses a bare `video/webm`), the duration, where the first
 * Cluster starts, and the Clusters (with their start times) inside any window of bytes — what a
 * seek needs to start appending at the right place. Pure functions over bytes; nothing is decoded.
 */

/** Element IDs, as the bytes appear in the file (the length marker kept, as Matroska writes them). */
const ID = {
  ebml: 0x1a45dfa3,
  segment: 0x18538067,
  info: 0x1549a966,
  timestampScale: 0x2ad7b1,
  duration: 0x4489,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  codecId: 0x86,
  trackType: 0x83,
  cluster: 0x1f43b675,
  timestamp: 0xe7,
} as const;

/** Matroska's default: timestamps count milliseconds. */
const DEFAULT_TIMESTAMP_SCALE_NS = 1_000_000;
const TRACK_TYPE_VIDEO = 1;

/** Matroska codec IDs → the codec names MediaSource's type strings use. */
const CODECS: Record<string, string> = {
  V_VP8: 'vp8',
  V_VP9: 'vp9',
  V_AV1: 'av01.0.08M.08',
  A_OPUS: 'opus',
  A_VORBIS: 'vorbis',
};

export interface WebmHeader {
  /** e.g. `video/webm; codecs="vp8, opus"`. */
  mime: string;
  /** Seconds, when the file says (ffmpeg writes it once the file is complete). */
  durationSeconds: number | null;
  /** Nanoseconds per timestamp tick. */
  timestampScaleNs: number;
  /** Byte offset of the first Cluster: everything before it is MediaSource's initialization segment. */
  firstClusterOffset: number;
}

export interface ClusterStart {
  offset: number;
  seconds: number;
}

/** A variable-length integer at `at`: its value and width; the ID form keeps the marker bit. */
function vint(b: Uint8Array, at: number, keepMarker: boolean): { value: number; width: number; unknown: boolean } | null {
  const first = b[at];
  if (first === undefined || first === 0) return null;
  const width = Math.clz32(first) - 23; // leading zeros within the byte, plus one
  if (width > 8 || at + width > b.length) return null;
  let value = keepMarker ? first : first & (0xff >> width);
  let allOnes = value === (0xff >> width);
  for (let i = 1; i < width; i++) {
    const byte = b[at + i]!;
    value = value * 256 + byte;
    if (byte !== 0xff) allOnes = false;
  }
  return { value, width, unknown: !keepMarker && allOnes };
}

interface Element {
  id: number;
  /** Where the element (its ID) begins. */
  start: number;
  /** Where the element's data begins and ends (end is Infinity for an unknown size). */
  dataStart: number;
  dataEnd: number;
}

function element(b: Uint8Array, at: number): Element | null {
  const id = vint(b, at, true);
  if (!id || id.width > 4) return null;
  const size = vint(b, at + id.width, false);
  if (!size) return null;
  const dataStart = at + id.width + size.width;
  return { id: id.value, start: at, dataStart, dataEnd: size.unknown ? Infinity : dataStart + size.value };
}

function uint(b: Uint8Array, e: Element): number {
  let v = 0;
  for (let i = e.dataStart; i < Math.min(e.dataEnd, b.length); i++) v = v * 256 + b[i]!;
  return v;
}

function float(b: Uint8Array, e: Element): number {
  const view = new DataView(b.buffer, b.byteOffset + e.dataStart, e.dataEnd - e.dataStart);
  return e.dataEnd - e.dataStart === 4 ? view.getFloat32(0) : view.getFloat64(0);
}

/** The children of [start, end) — stopping at bytes not yet in `b`. */
function* children(b: Uint8Array, start: number, end: number): Generator<Element> {
  let at = start;
  while (at < Math.min(end, b.length)) {
    const e = element(b, at);
    if (!e) return;
    yield e;
    if (e.dataEnd === Infinity) return;
    at = e.dataEnd;
  }
}

/** Whether these bytes begin a WebM (or Matroska) file. */
export function isWebm(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3;
}

/**
 * The header of a WebM file from its first bytes (a piece or two holds it). Null when the bytes are
 * not WebM, end before the first Cluster, or name a codec MediaSource's type strings cannot say.
 */
export function readWebmHeader(head: Uint8Array): WebmHeader | null {
  if (!isWebm(head)) return null;
  const ebml = element(head, 0);
  if (!ebml || ebml.dataEnd === Infinity) return null;
  const segment = element(head, ebml.dataEnd);
  if (!segment || segment.id !== ID.segment) return null;
  let timestampScaleNs = DEFAULT_TIMESTAMP_SCALE_NS;
  let durationTicks: number | null = null;
  const codecs: string[] = [];
  let video = false;
  for (const e of children(head, segment.dataStart, segment.dataEnd)) {
    if (e.id === ID.info) {
      for (const f of children(head, e.dataStart, e.dataEnd)) {
        if (f.id === ID.timestampScale) timestampScaleNs = uint(head, f);
        if (f.id === ID.duration && f.dataEnd <= head.length) durationTicks = float(head, f);
      }
    } else if (e.id === ID.tracks) {
      if (e.dataEnd > head.length) return null;
      for (const t of children(head, e.dataStart, e.dataEnd)) {
        if (t.id !== ID.trackEntry) continue;
        for (const f of children(head, t.dataStart, t.dataEnd)) {
          if (f.id === ID.trackType && uint(head, f) === TRACK_TYPE_VIDEO) video = true;
          if (f.id === ID.codecId) {
            const codec = CODECS[new TextDecoder().decode(head.subarray(f.dataStart, f.dataEnd)).replace(/\0+$/, '')];
            if (!codec) return null;
            codecs.push(codec);
          }
        }
      }
    } else if (e.id === ID.cluster) {
      if (codecs.length === 0) return null;
      return {
        mime: `${video ? 'video' : 'audio'}/webm; codecs="${codecs.join(', ')}"`,
        durationSeconds: durationTicks === null ? null : (durationTicks * timestampScaleNs) / 1e9,
        timestampScaleNs,
        firstClusterOffset: e.start,
      };
    }
  }
  return null;
}

/**
 * Clusters that begin inside `window` (bytes of the file starting at `windowOffset`), with their
 * start times: a byte scan for the Cluster ID, each hit confirmed by a Timestamp element first
 * inside it — so a seek can start appending at a Cluster without reading the Cues at the file's end.
 */
export function findClusters(window: Uint8Array, windowOffset: number, timestampScaleNs: number): ClusterStart[] {
  const out: ClusterStart[] = [];
  for (let at = 0; at + 4 <= window.length; at++) {
    if (window[at] !== 0x1f || window[at + 1] !== 0x43 || window[at + 2] !== 0xb6 || window[at + 3] !== 0x75) continue;
    const cluster = element(window, at);
    if (!cluster) continue;
    const first = element(window, cluster.dataStart);
    if (!first || first.id !== ID.timestamp || first.dataEnd > window.length || first.dataEnd - first.dataStart > 8) continue;
    out.push({ offset: windowOffset + at, seconds: (uint(window, first) * timestampScaleNs) / 1e9 });
  }
  return out;
}
