/**
 * Uploading a torrent's content to a Tabswarm server's store, so its link keeps working after every
 * sharer has gone (the server then serves it as a web seed). Resumable: the server says which
 * pieces it already holds, and only the others are sent. Each piece is verified by the server
 * before it is written; a refusal stops the upload with the server's own explanation.
 * DOM-free: the tab reads pieces from IndexedDB, the CLI from disk.
 */
import { TabswarmError } from '../../shared/errors.ts';
import { STORE_EXPIRES_PARAM, STORE_PATH, storePiecePath, type StoreErrorBody, type StoreStatus } from '../../shared/store-api.ts';

/** The part of fetch the upload uses (globalThis.fetch in a tab and in Node). */
export type StoreFetch = (url: string, init: { method: string; body?: Uint8Array; headers?: Record<string, string>; signal?: AbortSignal }) => Promise<{
  status: number;
  ok: boolean;
  json(): Promise<unknown>;
}>;

export interface StoreUploadOptions {
  /** The Tabswarm server, e.g. https://tabswarm.example.org. */
  serverUrl: string;
  /** The .torrent (its info dictionary is what the server checks every piece against). */
  torrentBytes: Uint8Array;
  readPiece(index: number): Promise<Uint8Array>;
  /** Pieces the server holds, of all; called after each one. */
  onProgress?(stored: number, total: number): void;
  fetch?: StoreFetch;
  signal?: AbortSignal;
  /** Pieces in flight at once. */
  concurrency?: number;
  /** Ms since 1970: the server deletes its copy then (a private link's expiry), if sooner than its own. */
  expiresAt?: number;
}

export const STORE_UPLOAD_CONCURRENCY = 3;
/** A piece whose PUT fails on the network is tried this many times in all before the upload stops. */
export const STORE_PIECE_ATTEMPTS = 3;

export async function uploadToStore(o: StoreUploadOptions): Promise<StoreStatus> {
  const base = o.serverUrl.replace(/\/+$/, '');
  const fetchFn: StoreFetch = o.fetch ?? ((u, init) => globalThis.fetch(u, init as RequestInit));
  const expiry = o.expiresAt === undefined ? '' : `?${STORE_EXPIRES_PARAM}=${Math.floor(o.expiresAt / 1000)}`;
  const status = await call<StoreStatus>(`${base}${STORE_PATH}${expiry}`, { method: 'POST', body: o.torrentBytes, headers: { 'content-type': 'application/x-bittorrent' } });
  const missing: number[] = [];
  for (let i = 0; i < status.pieceCount; i++) if (status.have[i] !== '1') missing.push(i);
  let stored = status.pieceCount - missing.length;
  o.onProgress?.(stored, status.pieceCount);
  const next = missing[Symbol.iterator]();
  const worker = async () => {
    for (let r = next.next(); !r.done; r = next.next()) {
      const index = r.value;
      const bytes = await o.readPiece(index);
      for (let attempt = 1; ; attempt++) {
        try {
          await call(`${base}${storePiecePath(status.infoHash, index)}`, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
          break;
        } catch (err) {
          // The server's refusals are final; only the network gets another try.
          if (!(err instanceof TabswarmError && err.code === 'STORE_UNREACHABLE') || attempt >= STORE_PIECE_ATTEMPTS || o.signal?.aborted) throw err;
        }
      }
      o.onProgress?.(++stored, status.pieceCount);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? STORE_UPLOAD_CONCURRENCY, Math.max(1, missing.length)) }, worker));
  return { ...status, have: '1'.repeat(status.pieceCount), complete: true };

  async function call<T>(url: string, init: { method: string; body?: Uint8Array; headers?: Record<string, string> }): Promise<T> {
    let res: Awaited<ReturnType<StoreFetch>>;
    try {
      res = await fetchFn(url, { ...init, signal: o.signal });
    } catch (err) {
      throw new TabswarmError('STORE_UNREACHABLE', `The server at ${base} could not be reached (${(err as Error).message}). What it already holds is kept: try again to resume.`);
    }
    if (res.status === 204) return undefined as T;
    const body = (await res.json().catch(() => null)) as (StoreErrorBody & T) | null;
    if (!res.ok) {
      const reason = body?.error?.message ?? `it answered HTTP ${res.status}`;
      if (res.status === 404 && !body?.error) throw new TabswarmError('STORE_REFUSED', `The server at ${base} does not keep files (no store is set up there).`);
      throw new TabswarmError('STORE_REFUSED', `The server refused to keep the file: ${reason}`);
    }
    return body as T;
  }
}
