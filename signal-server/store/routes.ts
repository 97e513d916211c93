/**
 * The store over HTTP:
 *   POST /store                      a .torrent: begin or resume storing it → StoreStatus (201)
 *   GET  /store/<info hash>          what is stored so far → StoreStatus
 *   PUT  /store/<info hash>/pieces/N one piece's bytes, verified before they are written → 204
 *   GET  /files/<info hash>/<name>…  a complete stored file, as a web seed: Range, CORS, cached for a year
 * Refusals are JSON ({ error: { code, message } }) with a status that says what kind they are.
 */
import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FILES_PATH, STORE_EXPIRES_PARAM, STORE_MAX_TORRENT_BYTES, STORE_PATH, storeTorrentPath, webSeedPath, type StoreErrorBody, type StoreStatus } from '../../shared/store-api.ts';
import type { Bitfield } from '../../shared/bitfield.ts';
import type { Metainfo } from '../../shared/metainfo/index.ts';
import { FileStore, StoreError } from './file-store.ts';
import { parseByteRange } from '../../shared/byte-range.ts';

const ONE_YEAR_S = 31_536_000;
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, PUT, OPTIONS',
  'access-control-allow-headers': 'range, content-type',
  'access-control-expose-headers': 'content-range, content-length, accept-ranges',
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...CORS });
  res.end(JSON.stringify(body));
}

function refuse(res: ServerResponse, err: StoreError): void {
  const body: StoreErrorBody = { error: { code: err.code, message: err.message } };
  json(res, err.status, body);
}

/** The request body, refused past `max` bytes (the client is told before it sends more). */
async function readBody(req: IncomingMessage, max: number, what: string): Promise<Uint8Array> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > max) throw new StoreError('STORE_PIECE_INVALID', `${what} may be at most ${max} bytes, not ${declared}.`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new StoreError('STORE_PIECE_INVALID', `${what} may be at most ${max} bytes.`, 413);
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export function createStoreHandler(store: FileStore, publicOrigin: (req: IncomingMessage) => string) {
  const statusOf = (req: IncomingMessage, s: { meta: Metainfo; have: Bitfield; expiresAt: number }): StoreStatus => ({
    infoHash: s.meta.infoHash,
    name: s.meta.name,
    length: s.meta.length,
    pieceCount: s.meta.pieceCount,
    have: s.have.toString(),
    complete: s.have.count() === s.meta.pieceCount,
    webSeed: `${publicOrigin(req)}${webSeedPath(s.meta)}`,
    torrentUrl: `${publicOrigin(req)}${storeTorrentPath(s.meta.infoHash)}`,
    expiresAt: s.expiresAt,
  });

  /** Handles the store's paths; false for any other path. */
  return async function handleStore(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const isStore = path === STORE_PATH || path.startsWith(`${STORE_PATH}/`);
    const isFiles = path.startsWith(`${FILES_PATH}/`);
    if (!isStore && !isFiles) return false;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-max-age': '86400' });
      res.end();
      return true;
    }
    try {
      if (isFiles) return serveFile(req, res, path);
      const parts = path.slice(STORE_PATH.length + 1).split('/').filter(Boolean);
      if (parts.length === 0 && req.method === 'POST') {
        const begun = await store.begin(await readBody(req, STORE_MAX_TORRENT_BYTES, 'A .torrent'), requestedExpiry(req));
        json(res, 201, statusOf(req, begun));
        return true;
      }
      const infoHash = (parts[0] ?? '').toLowerCase();
      if (parts.length === 1 && (req.method === 'GET' || req.method === 'HEAD')) {
        const s = store.status(infoHash);
        if (!s) throw new StoreError('STORE_NOT_FOUND', `Nothing is stored for ${infoHash}.`, 404);
        json(res, 200, statusOf(req, s));
        return true;
      }
      if (parts.length === 2 && parts[1] === 'torrent' && (req.method === 'GET' || req.method === 'HEAD')) {
        const bytes = store.torrentBytes(infoHash);
        if (!bytes) throw new StoreError('STORE_NOT_FOUND', `Nothing is stored for ${infoHash}.`, 404);
        res.writeHead(200, { ...CORS, 'content-type': 'application/x-bittorrent', 'content-length': String(bytes.length), 'cache-control': `public, max-age=${ONE_YEAR_S}, immutable` });
        res.end(req.method === 'HEAD' ? undefined : bytes);
        return true;
      }
      if (parts.length === 3 && parts[1] === 'pieces' && req.method === 'PUT') {
        const s = store.status(infoHash);
        if (!s) throw new StoreError('STORE_NOT_FOUND', `Nothing is being stored for ${infoHash}: post its .torrent to ${STORE_PATH} first.`, 404);
        const index = Number(parts[2]);
        await store.putPiece(infoHash, index, await readBody(req, s.meta.pieceLength, 'A piece'));
        res.writeHead(204, { 'cache-control': 'no-store', ...CORS });
        res.end();
        return true;
      }
      json(res, 405, { error: { code: 'STORE_NOT_FOUND', message: `${req.method} ${path} is not part of the store's API.` } });
      return true;
    } catch (err) {
      if (err instanceof StoreError) {
        refuse(res, err);
        // A refused body may be still arriving: stop reading it.
        if (!req.complete) req.destroy();
        return true;
      }
      throw err;
    }
  };

  function serveFile(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: { code: 'STORE_NOT_FOUND', message: `Stored files are read with GET.` } });
      return true;
    }
    const segments = path.slice(FILES_PATH.length + 1).split('/');
    const infoHash = (segments.shift() ?? '').toLowerCase();
    let names: string[];
    try {
      names = segments.map((s) => decodeURIComponent(s));
    } catch {
      names = [];
    }
    const file = store.file(infoHash, names);
    if (!file) {
      json(res, 404, { error: { code: 'STORE_NOT_FOUND', message: `Nothing complete is stored at ${path}.` } });
      return true;
    }
    const range = parseByteRange(req.headers.range, file.length);
    const headers: Record<string, string> = {
      ...CORS,
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
      // Addressed by the content's hash: what is at this URL never changes.
      'cache-control': `public, max-age=${ONE_YEAR_S}, immutable`,
      etag: `"${infoHash}-${file.offset}"`,
    };
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'content-range': `bytes */${file.length}` });
      res.end();
      return true;
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? file.length - 1;
    headers['content-length'] = String(file.length === 0 ? 0 : end - start + 1);
    if (range) headers['content-range'] = `bytes ${start}-${end}/${file.length}`;
    res.writeHead(range ? 206 : 200, headers);
    if (req.method === 'HEAD' || file.length === 0) {
      res.end();
      return true;
    }
    const stream = createReadStream(file.path, { start: file.offset + start, end: file.offset + end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return true;
  }
}

/** `?expires=<unix seconds>` on POST /store, in ms; a value that is not a whole number of seconds is refused. */
function requestedExpiry(req: IncomingMessage): { expiresAt?: number } {
  const raw = new URL(req.url ?? '/', 'http://x').searchParams.get(STORE_EXPIRES_PARAM);
  if (raw === null) return {};
  if (!/^\d{1,12}$/.test(raw)) throw new StoreError('STORE_EXPIRY_INVALID', `?${STORE_EXPIRES_PARAM}= takes a time in whole seconds since 1970, not "${raw.slice(0, 40)}".`, 400);
  return { expiresAt: Number(raw) * 1000 };
}
