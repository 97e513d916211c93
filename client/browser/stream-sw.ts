/// <reference lib="webworker" />
/**
 * The streaming service worker: answers a media element's requests for /stream/<info hash>/<file
 * index>/<name> with 206 responses for any byte range, the body pulled from the page that runs the
 * engine a piece at a time (so a response waits only for the piece under its next chunk, and a
 * seek that drops a response stops the pulling). The browser's own media stack then plays whatever
 * it can — MP4 with the moov at the end, WebM, MP3, Ogg — seeking with new ranges.
 */
import { parseByteRange, parseStreamPath, streamChunkEnd, type StreamAnswer, type StreamQuestion } from './stream-protocol.ts';

declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin !== self.location.origin) return;
  const target = parseStreamPath(url.pathname);
  if (!target) return;
  e.respondWith(answer(e, target));
});

/** The page that holds the engine: the one that asked, or any window of ours with the torrent. */
async function enginePage(e: FetchEvent): Promise<Client | null> {
  const own = e.clientId ? await self.clients.get(e.clientId) : undefined;
  if (own) return own;
  const all = await self.clients.matchAll({ type: 'window' });
  return all[0] ?? null;
}

function ask(page: Client, question: StreamQuestion): Promise<StreamAnswer> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (m: MessageEvent<StreamAnswer>) => resolve(m.data);
    page.postMessage(question, [channel.port2]);
  });
}

function plain(status: number, message: string): Response {
  return new Response(message, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

async function answer(e: FetchEvent, target: { infoHash: string; fileIndex: number }): Promise<Response> {
  const page = await enginePage(e);
  if (!page) return plain(503, 'No Tabswarm page is open to stream from.');
  const info = await ask(page, { type: 'tabswarm-stream-info', ...target });
  if (!info.ok) return plain(info.status, info.message);
  const length = info.length;
  const range = parseByteRange(e.request.headers.get('range'), length);
  if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { 'content-range': `bytes */${length}` } });
  const start = range?.start ?? 0;
  const end = range?.end ?? length - 1;
  let position = start;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (position > end) return controller.close();
      const chunkEnd = streamChunkEnd(position, end, info);
      const a = await ask(page, { type: 'tabswarm-stream-read', ...target, start: position, end: chunkEnd });
      if (!a.ok || !a.bytes) return controller.error(new Error(a.ok ? 'no bytes' : a.message));
      controller.enqueue(new Uint8Array(a.bytes));
      position = chunkEnd;
      if (position > end) controller.close();
    },
    // No cancel: a response the player drops (a seek) simply stops pulling, and the seek's own
    // read moves the urgent window.
  }, { highWaterMark: 1 });
  const headers: Record<string, string> = {
    'content-type': info.mime,
    'accept-ranges': 'bytes',
    'content-length': String(end - start + 1),
    'cache-control': 'no-store',
  };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${length}`;
  return new Response(length === 0 ? null : body, { status: range ? 206 : 200, headers });
}
