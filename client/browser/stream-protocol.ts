/**
 * Between the page and its service worker (stream-sw.ts): a media element's request for
 * /stream/<info hash>/<file index>/<name> reaches the worker, which asks the page — where the engine
 * runs — for the file's bytes, one chunk at a time, over a MessageChannel per question.
 */

/** The path prefix the service worker answers. */
export const STREAM_PATH = '/stream/';
/** The worker's script, at the root so its scope covers /stream/. */
export const STREAM_WORKER_URL = '/tabswarm-sw.js';
/** Bytes per answer when the page does not say how its pieces lie (a piece of a v1 torrent). */
export const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * Where the answer that starts at `position` of a file should end: at the end of the piece under
 * it (the file starting `fileOffset` bytes into content of `pieceLength`-byte pieces), so each answer
 * waits for one piece, not the two a chunk straddling a boundary needs. A file that does not start
 * on a piece boundary (in a multi-file torrent, or a private share's, behind its sealed contents
 * list and in 262,128-byte records) would otherwise straddle one at every chunk.
 */
export function streamChunkEnd(position: number, end: number, layout: { pieceLength?: number; fileOffset?: number }): number {
  const pieceLength = layout.pieceLength && layout.pieceLength > 0 ? layout.pieceLength : STREAM_CHUNK_BYTES;
  const offset = layout.fileOffset ?? 0;
  const next = (Math.floor((offset + position) / pieceLength) + 1) * pieceLength - offset;
  return Math.min(end + 1, next);
}

export type StreamQuestion =
  | { type: 'tabswarm-stream-info'; infoHash: string; fileIndex: number }
  | { type: 'tabswarm-stream-read'; infoHash: string; fileIndex: number; start: number; end: number };

export type StreamAnswer =
  /** `pieceLength` and `fileOffset`: how the file lies in its pieces (the info answer gives them; see streamChunkEnd). */
  | { ok: true; length: number; mime: string; bytes?: ArrayBuffer; pieceLength?: number; fileOffset?: number }
  | { ok: false; status: number; message: string };

export function streamPath(infoHash: string, fileIndex: number, name: string): string {
  return `${STREAM_PATH}${infoHash}/${fileIndex}/${encodeURIComponent(name)}`;
}

export function parseStreamPath(pathname: string): { infoHash: string; fileIndex: number } | null {
  const m = /^\/stream\/([0-9a-f]{40})\/(\d+)\//.exec(pathname);
  return m ? { infoHash: m[1]!, fileIndex: Number(m[2]) } : null;
}

export { parseByteRange } from '../../shared/byte-range.ts';
