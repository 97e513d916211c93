/**
 * A BEP 19 web seed as a peer: an HTTP server holding the torrent's files, reached with Range
 * requests, presented to the engine as one more transport that speaks the peer wire protocol. It
 * has every piece and never chokes; each block the engine requests is cut from its piece, which is
 * fetched once (one Range request per file the piece crosses) and kept while its blocks are asked
 * for. So rarest-first, pipelining, hash checks and smart ban apply to it as to any peer: a piece
 * of wrong bytes fails its hash like a lying peer's, and the peer is banned.
 *
 * An origin that answers 404 or 5xx, ignores Range, sends a wrong length, or cannot be reached
 * (down, or no CORS in a browser) is closed with a message naming the problem; the download carries
 * on with the swarm.
 */
import { Bitfield } from '../../shared/bitfield.ts';
import { TabswarmError } from '../../shared/errors.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { pieceRanges, webSeedFileUrl, type FileRange } from '../../shared/web-seed.ts';
import { encodeHandshake, encodeMessage, WireParser } from '../../shared/wire/index.ts';
import type { Transport } from './transport.ts';

/** The part of fetch a web seed uses (globalThis.fetch in a tab and in Node). */
export type FetchLike = (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<{
  status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** Pieces kept fetched while their blocks are requested; enough for the engine's pipeline to one peer. */
export const WEB_SEED_CACHED_PIECES = 16;
const PEER_ID_PREFIX = '-WS0100-';

export interface WebSeedOptions {
  /** The web seed's base URL, as the torrent or magnet link gives it. */
  url: string;
  meta: Metainfo;
  fetch?: FetchLike;
  /** Told once, when this web seed is given up on. */
  onFailure?: (error: TabswarmError) => void;
}

type SeedTransport = Transport & { readonly url: string };

export function webSeedTransport(opts: WebSeedOptions): SeedTransport {
  const { url, meta } = opts;
  const fetchFn: FetchLike = opts.fetch ?? ((u, init) => globalThis.fetch(u, init));
  const abort = new AbortController();
  const parser = new WireParser({ maxBitfieldBytes: Math.ceil(meta.pieceCount / 8) });
  /** Pieces fetched or being fetched, with the blocks (by offset) still to be delivered. */
  const pieces = new Map<number, CachedPiece>();
  let closed = false;
  const peerId = new Uint8Array(20);
  peerId.set(new TextEncoder().encode(PEER_ID_PREFIX));
  crypto.getRandomValues(peerId.subarray(PEER_ID_PREFIX.length));

  const transport: SeedTransport = {
    url,
    origin: true,
    onData: null,
    onClose: null,
    onDrain: null,
    bufferedAmount: 0,
    send(data) {
      if (closed) return;
      for (const event of parser.push(data)) {
        if (event.kind === 'error') return fail(`our own messages did not parse (${event.error.message})`);
        if (event.kind === 'handshake') {
          const all = new Bitfield(meta.pieceCount);
          for (let i = 0; i < meta.pieceCount; i++) all.set(i);
          deliver(encodeHandshake({ infoHash: meta.infoHashBytes, peerId, extended: false }));
          deliver(encodeMessage({ type: 'bitfield', bitfield: all.bytes }));
          deliver(encodeMessage({ type: 'unchoke' }));
        } else if (event.message.type === 'request') {
          void serve(event.message.index, event.message.begin, event.message.length);
        } else if (event.message.type === 'cancel') {
          cancel(event.message.index, event.message.begin);
        }
        // Interest and haves: a web seed has everything and serves whatever is asked.
      }
    },
    close() {
      closed = true;
      abort.abort();
    },
  };

  function deliver(bytes: Uint8Array): void {
    // Asynchronous, as from a real channel: the engine never re-enters itself through send().
    queueMicrotask(() => {
      if (!closed) transport.onData?.(bytes);
    });
  }

  function fail(problem: string): void {
    if (closed) return;
    closed = true;
    abort.abort();
    const error = new TabswarmError('WEB_SEED_FAILED', `Web seed ${url}: ${problem}. The download carries on from peers.`);
    opts.onFailure?.(error);
    transport.onClose?.(error.message);
  }

  async function serve(index: number, begin: number, length: number): Promise<void> {
    const cached = pieceFor(index);
    cached.waiting.add(begin);
    let piece: Uint8Array;
    try {
      piece = await cached.bytes;
    } catch (err) {
      if (cached.cancelled) return; // every block was cancelled: the fetch was aborted on purpose
      return fail(err instanceof WebSeedProblem ? err.message : `cannot be reached, or does not allow cross-origin requests (CORS): ${(err as Error).message}`);
    }
    if (closed || !cached.waiting.delete(begin)) return; // cancelled meanwhile
    if (begin + length > piece.length) return fail(`piece ${index} is shorter than the torrent says`);
    deliver(encodeMessage({ type: 'piece', index, begin, block: piece.subarray(begin, begin + length) }));
  }

  /** The engine took the block back (a peer has the piece now): a piece nobody waits for is not fetched on. */
  function cancel(index: number, begin: number): void {
    const cached = pieces.get(index);
    if (!cached?.waiting.delete(begin) || cached.waiting.size > 0 || cached.done) return;
    cached.cancelled = true;
    cached.abort.abort();
    pieces.delete(index);
  }

  function pieceFor(index: number): CachedPiece {
    let p = pieces.get(index);
    if (!p) {
      const pieceAbort = new AbortController();
      abort.signal.addEventListener('abort', () => pieceAbort.abort(), { once: true });
      const entry: CachedPiece = { bytes: null as unknown as Promise<Uint8Array>, waiting: new Set(), abort: pieceAbort, cancelled: false, done: false };
      entry.bytes = fetchPiece(index, pieceAbort.signal).finally(() => (entry.done = true));
      // Handled by every serve() that awaits it; this keeps an aborted fetch from being reported unhandled.
      entry.bytes.catch(() => {});
      p = entry;
      pieces.set(index, p);
      // Oldest out first: the engine asks for a piece's blocks together, so they are long served.
      if (pieces.size > WEB_SEED_CACHED_PIECES) pieces.delete(pieces.keys().next().value!);
    }
    return p;
  }

  async function fetchPiece(index: number, signal: AbortSignal): Promise<Uint8Array> {
    const ranges = pieceRanges(meta, index);
    const parts = await Promise.all(ranges.map((r) => fetchRange(r, signal)));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  async function fetchRange(r: FileRange, signal: AbortSignal): Promise<Uint8Array> {
    const fileUrl = webSeedFileUrl(url, meta, r.fileIndex);
    const file = meta.files[r.fileIndex]!;
    const res = await fetchFn(fileUrl, { headers: { range: `bytes=${r.start}-${r.end - 1}` }, signal });
    const whole = r.start === 0 && r.end === file.length;
    if (res.status !== 206 && !(res.status === 200 && whole)) {
      if (res.status === 200) throw new WebSeedProblem(`ignores Range requests (answered 200 with the whole file for ${fileUrl})`);
      throw new WebSeedProblem(`answered HTTP ${res.status} for ${fileUrl}`);
    }
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.length !== r.end - r.start) throw new WebSeedProblem(`sent ${body.length} bytes for a ${r.end - r.start}-byte range of ${fileUrl}`);
    return body;
  }

  return transport;
}

class WebSeedProblem extends Error {}

interface CachedPiece {
  bytes: Promise<Uint8Array>;
  /** Offsets of requested blocks not yet delivered or cancelled. */
  waiting: Set<number>;
  abort: AbortController;
  cancelled: boolean;
  done: boolean;
}
