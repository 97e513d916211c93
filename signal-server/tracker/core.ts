/**
 * The tracker's decisions, free of sockets and timers: given who is connected, what they announced
 * and a validated message, it returns what to send to whom. The WebSocket gateway carries the
 * effects out. Rules beyond bittorrent-tracker's:
 *  - a connection acts only for the peer ids it announced itself;
 *  - an answer is delivered only for an offer we forwarded to that very connection, and only to
 *    that offer's owner — so no peer can push SDP at strangers.
 */
import type { AnnounceReply, AnswerDelivery, AnnounceRequest, AnswerRequest, ClientMessage, FailureReply, OfferDelivery, ScrapeReply } from '../../shared/tracker/messages.ts';
import type { Logger } from '../log.ts';
import { idHex } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';
import type { TrackerOptions } from './options.ts';
import type { SwarmStore } from './swarm-store.ts';

export type OutgoingMessage = AnnounceReply | OfferDelivery | AnswerDelivery | ScrapeReply | FailureReply;

export type Effect = { type: 'send'; connId: number; message: OutgoingMessage };

interface Connection {
  /** Swarm → the peer ids this connection announced in it. */
  swarms: Map<string, Set<string>>;
}

interface OfferBinding {
  offererConn: number;
  offererPeerId: string;
  recipientConn: number;
  expiresAtMs: number;
}

export interface CoreDeps {
  store: SwarmStore;
  options: TrackerOptions;
  metrics: Metrics;
  log: Logger;
  random?: () => number;
}

export class TrackerCore {
  private readonly conns = new Map<number, Connection>();
  /** (info hash, offer id, recipient peer id) → who may answer and who gets the answer. Insertion order = expiry order. */
  private readonly offers = new Map<string, OfferBinding>();
  private readonly store: SwarmStore;
  private readonly options: TrackerOptions;
  private readonly metrics: Metrics;
  private readonly log: Logger;
  private readonly random: () => number;

  constructor(deps: CoreDeps) {
    this.store = deps.store;
    this.options = deps.options;
    this.metrics = deps.metrics;
    this.log = deps.log;
    this.random = deps.random ?? Math.random;
  }

  get connectionCount(): number {
    return this.conns.size;
  }

  get pendingOffers(): number {
    return this.offers.size;
  }

  open(connId: number): void {
    this.conns.set(connId, { swarms: new Map() });
  }

  /** A closed socket takes every peer it announced out of every swarm. */
  close(connId: number): void {
    const conn = this.conns.get(connId);
    if (!conn) return;
    for (const [infoHash, peerIds] of conn.swarms) for (const peerId of peerIds) this.store.removePeer(infoHash, peerId);
    this.conns.delete(connId);
  }

  failure(connId: number, reason: RejectReason, text: string, context: { action?: 'announce' | 'scrape'; info_hash?: string } = {}): Effect {
    this.metrics.reject(reason);
    this.log.debug('reject', { conn: connId, reason });
    const message: FailureReply = { 'failure reason': text };
    if (context.action) message.action = context.action;
    if (context.info_hash !== undefined) message.info_hash = context.info_hash;
    return { type: 'send', connId, message };
  }

  handle(connId: number, msg: ClientMessage, nowMs: number): Effect[] {
    const conn = this.conns.get(connId);
    if (!conn) return [];
    switch (msg.kind) {
      case 'announce':
        return this.announce(connId, conn, msg, nowMs);
      case 'answer':
        return this.answer(connId, msg, nowMs);
      case 'scrape':
        return this.scrape(connId, msg.info_hash);
    }
  }

  private reply(connId: number, infoHash: string): Effect {
    const { complete, incomplete } = this.store.counts(infoHash);
    return { type: 'send', connId, message: { action: 'announce', interval: this.options.announceIntervalS, info_hash: infoHash, complete, incomplete } };
  }

  private announce(connId: number, conn: Connection, msg: AnnounceRequest, nowMs: number): Effect[] {
    const { info_hash: infoHash, peer_id: peerId } = msg;
    const ctx = { action: 'announce' as const, info_hash: infoHash };
    const existing = this.store.getPeer(infoHash, peerId);
    if (existing && existing.connId !== connId) {
      return [this.failure(connId, 'peer_id_in_use', 'This peer_id is already announced in this swarm by another connection; use a fresh peer_id.', ctx)];
    }
    let mine = conn.swarms.get(infoHash);

    if (msg.event === 'stopped') {
      if (existing) {
        this.store.removePeer(infoHash, peerId);
        mine?.delete(peerId);
        if (mine?.size === 0) conn.swarms.delete(infoHash);
        this.log.debug('peer_stopped', { conn: connId, info_hash: idHex(infoHash) });
      }
      this.metrics.announces++;
      return [this.reply(connId, infoHash)];
    }

    if (!mine) {
      if (conn.swarms.size >= this.options.maxSwarmsPerSocket) {
        return [this.failure(connId, 'too_many_swarms', `One connection may join at most ${this.options.maxSwarmsPerSocket} swarms; close some torrents or open another connection.`, ctx)];
      }
      mine = new Set();
      conn.swarms.set(infoHash, mine);
    }
    mine.add(peerId);
    const left = msg.left === undefined ? (existing?.left ?? null) : msg.left;
    this.store.putPeer(infoHash, { peerId, connId, left, lastAnnounceMs: nowMs });
    if (msg.event === 'completed' && existing?.left !== 0) this.store.recordCompleted(infoHash);
    this.metrics.announces++;

    const effects: Effect[] = [this.reply(connId, infoHash)];
    const offers = msg.offers ?? [];
    if (offers.length === 0) return effects;
    const want = Math.min(offers.length, msg.numwant ?? offers.length, this.options.maxOffersPerAnnounce);
    const targets = this.store.samplePeers(infoHash, want, peerId, this.random);
    targets.forEach((target, i) => {
      const { offer, offer_id } = offers[i]!;
      const key = infoHash + offer_id + target.peerId;
      const bound = this.offers.get(key);
      // Never let a second offerer take over a live binding: the answer would go to the wrong peer.
      if (bound && bound.expiresAtMs > nowMs && bound.offererPeerId !== peerId) return;
      this.offers.delete(key);
      this.offers.set(key, { offererConn: connId, offererPeerId: peerId, recipientConn: target.connId, expiresAtMs: nowMs + this.options.offerTtlMs });
      effects.push({ type: 'send', connId: target.connId, message: { action: 'announce', offer, offer_id, peer_id: peerId, info_hash: infoHash } });
      this.metrics.offersRelayed++;
    });
    this.evictOffers();
    return effects;
  }

  private answer(connId: number, msg: AnswerRequest, nowMs: number): Effect[] {
    const { info_hash: infoHash, peer_id: peerId, to_peer_id: toPeerId, offer_id: offerId } = msg;
    const ctx = { action: 'announce' as const, info_hash: infoHash };
    const answerer = this.store.getPeer(infoHash, peerId);
    if (!answerer || answerer.connId !== connId) {
      return [this.failure(connId, 'not_your_peer', 'Answer refused: this connection has not announced that peer_id in this swarm.', ctx)];
    }
    const key = infoHash + offerId + peerId;
    const binding = this.offers.get(key);
    if (!binding || binding.expiresAtMs <= nowMs || binding.recipientConn !== connId || binding.offererPeerId !== toPeerId) {
      return [this.failure(connId, 'unknown_offer', 'Answer refused: no offer with this offer_id from to_peer_id was forwarded to you, or it expired.', ctx)];
    }
    this.offers.delete(key);
    const offerer = this.store.getPeer(infoHash, toPeerId);
    if (!offerer || offerer.connId !== binding.offererConn) {
      return [this.failure(connId, 'offerer_gone', 'Answer not delivered: the peer that made the offer has left the swarm.', ctx)];
    }
    this.metrics.answersRelayed++;
    return [{ type: 'send', connId: binding.offererConn, message: { action: 'announce', answer: msg.answer, offer_id: offerId, peer_id: peerId, info_hash: infoHash } }];
  }

  private scrape(connId: number, infoHashes: string[]): Effect[] {
    const files: ScrapeReply['files'] = {};
    for (const h of infoHashes) files[h] = this.store.counts(h);
    this.metrics.scrapes++;
    return [{ type: 'send', connId, message: { action: 'scrape', files } }];
  }

  /** Drops the oldest bindings beyond the bound (a flood of offers must not grow memory without end). */
  private evictOffers(): void {
    while (this.offers.size > this.options.maxPendingOffers) {
      const oldest = this.offers.keys().next().value as string;
      this.offers.delete(oldest);
    }
  }

  /** Drops peers that stopped announcing and offers past their time to live. */
  sweep(nowMs: number): { peersRemoved: number; offersExpired: number } {
    const stale = this.store.stalePeers(nowMs - this.options.peerTimeoutMs);
    for (const { infoHash, peerId } of stale) {
      const peer = this.store.getPeer(infoHash, peerId);
      this.store.removePeer(infoHash, peerId);
      const mine = peer && this.conns.get(peer.connId)?.swarms.get(infoHash);
      if (mine) {
        mine.delete(peerId);
        if (mine.size === 0) this.conns.get(peer.connId)!.swarms.delete(infoHash);
      }
    }
    this.metrics.peersTimedOut += stale.length;
    let offersExpired = 0;
    for (const [key, binding] of this.offers) {
      if (binding.expiresAtMs > nowMs) break;
      this.offers.delete(key);
      offersExpired++;
    }
    if (stale.length > 0) this.log.info('peers_timed_out', { count: stale.length });
    return { peersRemoved: stale.length, offersExpired };
  }
}
