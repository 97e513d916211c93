/**
 * The page's side of streaming: registers the service worker (stream-sw.ts) and answers its
 * questions from the engine — a file's length and type, and its bytes through a FileStream, which
 * makes the pieces under each read (and a read-ahead) urgent and waits for them.
 *
 * Where no service worker can run (a plain-http LAN address is not a secure context; the widget on
 * another site cannot put our worker in front of its own pages), streaming is unavailable and the
 * caller plays the file once it is complete.
 */
import { FileStream, type StreamedTorrent } from '../engine/file-stream.ts';
import type { ContentLayout } from '../../shared/private/open.ts';
import { contentKind } from '../ui/content-kind.ts';
import { STREAM_WORKER_URL, streamPath, type StreamAnswer, type StreamQuestion } from './stream-protocol.ts';

/**
 * What a stream plays from: a torrent's files laid out in its pieces, and the torrent to wait on and
 * read them from. For a plain torrent, its Metainfo and itself; for a private share, the plaintext's
 * layout and a torrent that decrypts each piece it reads (engine/private-source.ts).
 */
export interface StreamView {
  infoHash: string;
  layout: ContentLayout;
  torrent: StreamedTorrent;
}

export type StreamSupport = { ok: true } | { ok: false; reason: string };

/** Streams by torrent and file, reused by every response the worker asks for. */
const streams = new Map<string, FileStream>();
let ready: Promise<StreamSupport> | null = null;

/** Registers the worker once per page; resolves when it controls the page (or with why it cannot). `views` finds what a torrent streams from. */
export function startStreaming(views: (infoHash: string) => Promise<StreamView | null>): Promise<StreamSupport> {
  ready ??= (async (): Promise<StreamSupport> => {
    if (!('serviceWorker' in navigator) || !isSecureContext) return { ok: false, reason: 'this address is not a secure context (https or localhost), where browsers allow the service worker streaming needs' };
    navigator.serviceWorker.addEventListener('message', (m: MessageEvent<StreamQuestion>) => void answer(m, views));
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
function streamOf(view: StreamView, fileIndex: number): FileStream {
  const key = `${view.infoHash}/${fileIndex}`;
  let stream = streams.get(key);
  if (!stream) streams.set(key, (stream = new FileStream(view.torrent, view.layout, fileIndex)));
  return stream;
}

/** The player knows the media's duration: the stream's read-ahead follows its bitrate from now on. */
export function setStreamDuration(view: StreamView, fileIndex: number, seconds: number): void {
  streamOf(view, fileIndex).setDuration(seconds);
}

/** A player will soon play this file from its start: its first pieces are fetched first from now on. */
export function primeStream(view: StreamView, fileIndex: number): void {
  streamOf(view, fileIndex).prime();
}

async function answer(m: MessageEvent<StreamQuestion>, views: (infoHash: string) => Promise<StreamView | null>): Promise<void> {
  const q = m.data;
  const port = m.ports[0];
  if (!port || typeof q !== 'object' || !q || !String(q.type).startsWith('tabswarm-stream')) return;
  const reply = (a: StreamAnswer, transfer: Transferable[] = []) => port.postMessage(a, transfer);
  let view: StreamView | null;
  try {
    view = await views(q.infoHash);
  } catch (err) {
    return reply({ ok: false, status: 403, message: (err as Error).message });
  }
  if (!view) return reply({ ok: false, status: 404, message: 'That torrent is not open in this page.' });
  const file = view.layout.files[q.fileIndex];
  if (!file) return reply({ ok: false, status: 404, message: `${view.layout.name} has no file number ${q.fileIndex}.` });
  const stream = streamOf(view, q.fileIndex);
  const mime = contentKind(file.path[file.path.length - 1]!).mime;
  if (q.type === 'tabswarm-stream-info') return reply({ ok: true, length: file.length, mime, pieceLength: view.layout.pieceLength, fileOffset: file.offset });
  try {
    const bytes = await stream.read(q.start, q.end);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    reply({ ok: true, length: file.length, mime, bytes: buffer }, [buffer]);
  } catch (err) {
    reply({ ok: false, status: 500, message: (err as Error).message });
  }
}
