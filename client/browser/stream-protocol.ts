/**
 * Between the page and its service worker (stream-sw.ts): a media element's request for
 * /stream/<info hash>/<file index>/<name> reaches the worker, which asks the page — where the engine
 * runs — for the file's bytes, one chunk at a time, over a MessageChannel per question.
 */

/** The path prefix the service worker answers. */
export const STREAM_PATH = '/stream/';
/** The worker's script, at the root so its scope covers /stream/. */
export const STREAM_WORKER_URL = '/tabswarm-sw.js';
/** Bytes per answer the worker asks the page for: a piece, so each answer waits for at most one or two pieces. */
export const STREAM_CHUNK_BYTES = 256 * 1024;

export type StreamQuestion =
  | { type: 'tabswarm-stream-info'; infoHash: string; fileIndex: number }
  | { type: 'tabswarm-stream-read'; infoHash: string; fileIndex: number; start: number; end: number };

export type StreamAnswer = { ok: true; length: number; mime: string; bytes?: ArrayBuffer } | { ok: false; status: number; message: string };

export function streamPath(infoHash: string, fileIndex: number, name: string): string {
  return `${STREAM_PATH}${infoHash}/${fileIndex}/${encodeURIComponent(name)}`;
}

export function parseStreamPath(pathname: string): { infoHash: string; fileIndex: number } | null {
  const m = /^\/stream\/([0-9a-f]{40})\/(\d+)\//.exec(pathname);
  return m ? { infoHash: m[1]!, fileIndex: Number(m[2]) } : null;
}

export { parseByteRange } from '../../shared/byte-range.ts';
