/** A hand-driven peer for engine tests: raw bytes in, parsed messages out — a hostile or scripted neighbour. */
import { Bitfield } from '../../shared/bitfield.ts';
import { memoryPair } from '../../client/engine/transport.ts';
import type { Torrent } from '../../client/engine/torrent.ts';
import { encodeHandshake, encodeMessage } from '../../shared/wire/encode.ts';
import type { WireMessage } from '../../shared/wire/messages.ts';
import { WireParser } from '../../shared/wire/parser.ts';
import { peerId } from './swarm.ts';

export interface RawPeer {
  send(bytes: Uint8Array): void;
  /** Encodes and sends one wire message. */
  message(msg: WireMessage): void;
  /** Sends our handshake for this info hash (extensions on unless told otherwise). */
  handshake(infoHash: Uint8Array, extended?: boolean): void;
  /** What arrived, by kind ("handshake", "request", …), in order. */
  received: string[];
  /** The messages that arrived, in order. */
  messages: WireMessage[];
  isClosed(): boolean;
  /** The victim's key for this connection. */
  key: string | null;
}

export function rawPeer(victim: Torrent): RawPeer {
  const [ours, theirs] = memoryPair();
  const parser = new WireParser();
  const received: string[] = [];
  const messages: WireMessage[] = [];
  let closed = false;
  theirs.onData = (d) => {
    for (const e of parser.push(d)) {
      received.push(e.kind === 'message' ? e.message.type : e.kind);
      if (e.kind === 'message') messages.push(e.message);
    }
  };
  theirs.onClose = () => (closed = true);
  const key = victim.addPeer(ours);
  return {
    send: (b) => theirs.send(b),
    message: (m) => theirs.send(encodeMessage(m)),
    handshake: (infoHash, extended = true) => theirs.send(encodeHandshake({ infoHash, peerId: peerId(), extended })),
    received,
    messages,
    isClosed: () => closed,
    key,
  };
}

/** A raw peer that has every piece of `meta`: its handshake and a full bitfield, then (unless told not to) an unchoke. */
export function rawSeeder(victim: Torrent, meta: { infoHashBytes: Uint8Array; pieceCount: number }, opts: { unchoke?: boolean } = {}): RawPeer {
  const all = new Bitfield(meta.pieceCount);
  for (let i = 0; i < meta.pieceCount; i++) all.set(i);
  const p = rawPeer(victim);
  p.handshake(meta.infoHashBytes);
  p.message({ type: 'bitfield', bitfield: all.bytes });
  if (opts.unchoke ?? true) p.message({ type: 'unchoke' });
  return p;
}

/**
 * Waits until every in-memory message sent so far has been delivered: memoryPair delivers on a
 * zero-delay timer, and timers of equal delay fire in the order they were set. Ordering, not time.
 */
export const deliveredSoFar = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
