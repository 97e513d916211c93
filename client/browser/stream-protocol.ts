/**
 * Between the page and its service worker (stream-sw.ts): a media element's request for
 * /stream/<info hash>/<file index>/<name> reaches the worker, which asks the page — where the engine
 * runs — for the file's bytes, one chunk at a time, over a MessageChannel per question.
 */

/** The path prefix the service worker answers. */
export const STREAM_PATH = '/stream/';
/** The worker's script, at the root so its scope covers /stream/. */
export const STREAM_WORKER_URL = '/tabswarm-sw.js';
/** Bytes per answer, at most: a v1 piece. Answers end at multiples of it in the file, as the media stack's own reads do. */
export const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * Where the answer that starts at `position` of a file should end: at the next 256 KiB step of the
 * file, or sooner at the next piece boundary, so an answer never waits for a piece its bytes do not
 * lie in. A file that does not start on a piece boundary — a private share's, behind its sealed
 * contents list and in 262,128-byte records, or a later file of a multi-file torrent — has a piece
 * boundary inside most steps; an answer across it waited for both pieces (after a seek, one piece
 * time, 1/8 s at 2 MiB/s, before the first byte), and its first bytes for the second piece.
 */
export function streamChunkEnd(position: number, end: number, layout: { pieceLength?: number; fileOffset?: number }): number {
  let stop = position + STREAM_CHUNK_BYTES - (position % STREAM_CHUNK_BYTES);
  if (layout.pieceLength !== undefined && layout.pieceLength > 0) {
    const offset = layout.fileOffset ?? 0;
    stop = Math.min(stop, (Math.floor((offset + position) / layout.pieceLength) + 1) * layout.pieceLength - offset);
  }
  return Math.min(end + 1, stop);
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
