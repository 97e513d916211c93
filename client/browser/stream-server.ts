/**
 * The page's side of streaming: registers the service worker (stream-sw.ts) and answers its
 * questions from the engine — a file's length and type, and its bytes through a FileStream, which
 * makes the pieces under each read (and a read-ahead) urgent and waits for them.
 *
 * Where no service worker can run (a plain-http LAN address is not a secure context; the widget on
 * another site cannot put our worker in front of its own pages), streaming is unavailable and the
 * caller plays the file once it is complete.
 */
import { FileStream } from '../engine/file-stream.ts';
import type { SwarmSession } from '../engine/session.ts';
import type { Torrent } from '../engine/torrent.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { contentKind } from '../ui/content-kind.ts';
import { STREAM_WORKER_URL, streamPath, type StreamAnswer, type StreamQuestion } from './stream-protocol.ts';

export type StreamSupport = { ok: true } | { ok: false; reason: string };

/** Streams by torrent and file, reused by every response the worker asks for. */
const streams = new Map<string, FileStream>();
let ready: Promise<StreamSupport> | null = null;

/** Registers the worker once per page; resolves when it controls the page (or with why it cannot). */
export function startStreaming(sessions: () => ReadonlyMap<string, SwarmSession>): Promise<StreamSupport> {
  ready ??= (async (): Promise<StreamSupport> => {
    if (!('serviceWorker' in navigator) || !isSecureContext) return { ok: false, reason: 'this address is not a secure context (https or localhost), where browsers allow the service worker streaming needs' };
    navigator.serviceWorker.addEventListener('message', (m: MessageEvent<StreamQuestion>) => void answer(m, sessions()));
    try {
      await navigator.serviceWorker.register(STREAM_WORKER_URL, { scope: '/' });
    } catch (err) {
      return { ok: false, reason: `the streaming service worker could not start (${(err as Error).message})` };
    }
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    return { ok: true };
  })();
  return ready;
}

/** The URL a media element plays a torrent's file from. */
export function streamUrl(infoHash: string, fileIndex: number, name: string): string {
  return streamPath(infoHash, fileIndex, name);
}

/** The stream of one file, made once and shared by every answer. */
function streamOf(torrent: Torrent, meta: Metainfo, fileIndex: number): FileStream {
  const key = `${meta.infoHash}/${fileIndex}`;
  let stream = streams.get(key);
  if (!stream) streams.set(key, (stream = new FileStream(torrent, meta, fileIndex)));
  return stream;
}

/** The player knows the media's duration: the stream's read-ahead follows its bitrate from now on. */
export function setStreamDuration(torrent: Torrent, meta: Metainfo, fileIndex: number, seconds: number): void {
  streamOf(torrent, meta, fileIndex).setDuration(seconds);
}

/** A player will soon play this file from its start: its first pieces are fetched first from now on. */
export function primeStream(torrent: Torrent, meta: Metainfo, fileIndex: number): void {
  streamOf(torrent, meta, fileIndex).prime();
}

async function answer(m: MessageEvent<StreamQuestion>, sessions: ReadonlyMap<string, SwarmSession>): Promise<void> {
  const q = m.data;
  const port = m.ports[0];
  if (!port || typeof q !== 'object' || !q || !String(q.type).startsWith('tabswarm-stream')) return;
  const reply = (a: StreamAnswer, transfer: Transferable[] = []) => port.postMessage(a, transfer);
  const torrent = sessions.get(q.infoHash)?.torrent;
  const meta = torrent?.meta;
  if (!torrent || !meta) return reply({ ok: false, status: 404, message: 'That torrent is not open in this page.' });
  const file = meta.files[q.fileIndex];
  if (!file) return reply({ ok: false, status: 404, message: `${meta.name} has no file number ${q.fileIndex}.` });
  const stream = streamOf(torrent, meta, q.fileIndex);
  const mime = contentKind(file.path[file.path.length - 1]!).mime;
  if (q.type === 'tabswarm-stream-info') return reply({ ok: true, length: file.length, mime });
  try {
    const bytes = await stream.read(q.start, q.end);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    reply({ ok: true, length: file.length, mime, bytes: buffer }, [buffer]);
  } catch (err) {
    reply({ ok: false, status: 500, message: (err as Error).message });
  }
}
