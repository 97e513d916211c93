/**
 * The tracker's decisions, free of sockets and timers: given who is connected, what they announced
 * and a validated message, it returns what to send to whom. The WebSocket gateway carries the
 * effects out. Membership comes from a SwarmStore (this process's memory, or Redis shared by
 * several processes, in which case an effect may be a relay to another process). Rules beyond
 * bittorrent-tracker's:
 *  - a connection acts only for the peer ids it announced itself;
 *  - an answer is delivered only for an offer we forwarded to that very connection, and only to
 *    that offer's owner — so no peer can push SDP at strangers.
 */
import type { AnnounceReply, AnswerDelivery, AnnounceRequest, AnswerRequest, ClientMessage, FailureReply, OfferDelivery, ScrapeReply } from '../../shared/tracker/messages.ts';
import type { Logger } from '../log.ts';
import { idHex } from '../log.ts';
import type { Metrics, RejectReason } from '../metrics.ts';
import type { SwarmStore } from './swarm-store.ts';
import { chooseOfferTargets } from './offer-targets.ts';
import type { TrackerOptions } from './options.ts';
import type { AnswerRelay, OfferRelay, Relay } from './relay.ts';

export type OutgoingMessage = AnnounceReply | OfferDelivery | AnswerDelivery | ScrapeReply | FailureReply;

export type Effect = { type: 'send'; connId: number; message: OutgoingMessage } | { type: 'relay'; node: string; message: Relay };

interface Connection {
  /** Swarm → the peer ids this connection announced in it → the peers its recent offers went to (offer-targets.ts). */
  swarms: Map<string, Map<string, string[]>>;
}

interface OfferBinding {
  /** Where the offer came from: the process, its connection and the peer id. */
  offererNode: string;
  offererConn: number;
  offererPeerId: string;
  /** The connection of this process the offer was delivered to; only it may answer. */
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
  close(connId: number): Promise<void> {
    const conn = this.conns.get(connId);
    if (!conn) return Promise.resolve();
    this.conns.delete(connId);
    const removals: Array<Promise<void>> = [];
    for (const [infoHash, peerIds] of conn.swarms) for (const peerId of peerIds.keys()) removals.push(this.store.remove(infoHash, peerId));
    return Promise.all(removals).then(() => undefined);
  }

  failure(connId: number, reason: RejectReason, text: string, context: { action?: 'announce' | 'scrape'; info_hash?: string } = {}): Effect {
    this.metrics.reject(reason);
    this.log.debug('reject', { conn: connId, reason });
    const message: FailureReply = { 'failure reason': text };
    if (context.action) message.action = context.action;
    if (context.info_hash !== undefined) message.info_hash = context.info_hash;
    return { type: 'send', connId, message };
  }

  async handle(connId: number, msg: ClientMessage, nowMs: number): Promise<Effect[]> {
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

  /** A signalling message from another tracker process, for one of this process's peers. */
  receive(message: Relay, nowMs: number): Effect[] {
    const target = this.store.local.getPeer(message.infoHash, message.toPeerId);
    if (!target) {
      this.log.debug('relay_target_gone', { kind: message.kind, info_hash: idHex(message.infoHash) });
      return [];
    }
    if (message.kind === 'offer') return this.deliverOffer(message, target.connId, nowMs);
    if (target.connId !== message.toConn) return [];
    return [this.answerEffect(message)];
  }

  private reply(connId: number, infoHash: string, counts: { complete: number; incomplete: number }): Effect {
    return { type: 'send', connId, message: { action: 'announce', interval: this.options.announceIntervalS, info_hash: infoHash, complete: counts.complete, incomplete: counts.incomplete } };
  }

  private forget(conn: Connection, infoHash: string, peerId: string): void {
    const mine = conn.swarms.get(infoHash);
    mine?.delete(peerId);
    if (mine?.size === 0) conn.swarms.delete(infoHash);
  }

  private async announce(connId: number, conn: Connection, msg: AnnounceRequest, nowMs: number): Promise<Effect[]> {
    const { info_hash: infoHash, peer_id: peerId } = msg;
    const ctx = { action: 'announce' as const, info_hash: infoHash };
    const inUse = () => this.failure(connId, 'peer_id_in_use', 'This peer_id is already announced in this swarm by another connection; use a fresh peer_id.', ctx);
    const mine = conn.swarms.get(infoHash);

    if (msg.event === 'stopped') {
      if (mine?.has(peerId)) {
        this.forget(conn, infoHash, peerId);
        await this.store.remove(infoHash, peerId);
        this.log.debug('peer_stopped', { conn: connId, info_hash: idHex(infoHash) });
      } else if (await this.store.has(infoHash, peerId)) {
        return [inUse()];
      }
      this.metrics.announces++;
      const [counts] = await this.store.counts([infoHash]);
      return [this.reply(connId, infoHash, counts!)];
    }

    if (!mine && conn.swarms.size >= this.options.maxSwarmsPerSocket) {
      return [this.failure(connId, 'too_many_swarms', `One connection may join at most ${this.options.maxSwarmsPerSocket} swarms; close some torrents or open another connection.`, ctx)];
    }
    const put = await this.store.put(infoHash, { peerId, connId, left: msg.left, nowMs, completed: msg.event === 'completed' });
    if (!put.ok) return [inUse()];
    if (this.conns.get(connId) !== conn) {
      // The socket closed while we waited on the store: its peer must not outlive it.
      await this.store.remove(infoHash, peerId);
      return [];
    }
    let peers = conn.swarms.get(infoHash);
    if (!peers) conn.swarms.set(infoHash, (peers = new Map()));
    const recent = peers.get(peerId) ?? [];
    peers.set(peerId, recent);
    this.metrics.announces++;

    const effects: Effect[] = [this.reply(connId, infoHash, put.counts)];
    const offers = msg.offers ?? [];
    if (offers.length === 0) return effects;
    const want = Math.min(offers.length, msg.numwant ?? offers.length, this.options.maxOffersPerAnnounce);
    // Sampled with room to skip the peers this announcer's last offers went to.
    const sampled = await this.store.sample(infoHash, want + recent.length, peerId, this.random);
    const chosen = chooseOfferTargets(sampled, want, recent);
    if (peers.has(peerId)) peers.set(peerId, chosen.recent);
    const targets = chosen.targets;
    targets.forEach((target, i) => {
      const { offer, offer_id: offerId } = offers[i]!;
      const relay: OfferRelay = { kind: 'offer', infoHash, toPeerId: target.peerId, fromPeerId: peerId, fromNode: this.store.nodeId, fromConn: connId, offerId, offer };
      if (target.node !== this.store.nodeId) {
        effects.push({ type: 'relay', node: target.node, message: relay });
        return;
      }
      const local = this.store.local.getPeer(infoHash, target.peerId);
      if (local) effects.push(...this.deliverOffer(relay, local.connId, nowMs));
    });
    return effects;
  }

  /** Hands an offer to a connection of this process and remembers who may answer it. */
  private deliverOffer(relay: OfferRelay, recipientConn: number, nowMs: number): Effect[] {
    const key = relay.infoHash + relay.offerId + relay.toPeerId;
    const bound = this.offers.get(key);
    // Never let a second offerer take over a live binding: the answer would go to the wrong peer.
    if (bound && bound.expiresAtMs > nowMs && bound.offererPeerId !== relay.fromPeerId) return [];
    this.offers.delete(key);
    this.offers.set(key, { offererNode: relay.fromNode, offererConn: relay.fromConn, offererPeerId: relay.fromPeerId, recipientConn, expiresAtMs: nowMs + this.options.offerTtlMs });
    this.evictOffers();
    this.metrics.offersRelayed++;
    return [{ type: 'send', connId: recipientConn, message: { action: 'announce', offer: relay.offer, offer_id: relay.offerId, peer_id: relay.fromPeerId, info_hash: relay.infoHash } }];
  }

  private answer(connId: number, msg: AnswerRequest, nowMs: number): Effect[] {
    const { info_hash: infoHash, peer_id: peerId, to_peer_id: toPeerId, offer_id: offerId } = msg;
    const ctx = { action: 'announce' as const, info_hash: infoHash };
    const answerer = this.store.local.getPeer(infoHash, peerId);
    if (!answerer || answerer.connId !== connId) {
      return [this.failure(connId, 'not_your_peer', 'Answer refused: this connection has not announced that peer_id in this swarm.', ctx)];
    }
    const key = infoHash + offerId + peerId;
    const binding = this.offers.get(key);
    if (!binding || binding.expiresAtMs <= nowMs || binding.recipientConn !== connId || binding.offererPeerId !== toPeerId) {
      return [this.failure(connId, 'unknown_offer', 'Answer refused: no offer with this offer_id from to_peer_id was forwarded to you, or it expired.', ctx)];
    }
    this.offers.delete(key);
    const relay: AnswerRelay = { kind: 'answer', infoHash, toPeerId, toConn: binding.offererConn, fromPeerId: peerId, offerId, answer: msg.answer };
    if (binding.offererNode !== this.store.nodeId) {
      this.metrics.answersRelayed++;
      return [{ type: 'relay', node: binding.offererNode, message: relay }];
    }
    const offerer = this.store.local.getPeer(infoHash, toPeerId);
    if (!offerer || offerer.connId !== binding.offererConn) {
      return [this.failure(connId, 'offerer_gone', 'Answer not delivered: the peer that made the offer has left the swarm.', ctx)];
    }
    this.metrics.answersRelayed++;
    return [this.answerEffect(relay)];
  }

  private answerEffect(relay: AnswerRelay): Effect {
    return { type: 'send', connId: relay.toConn, message: { action: 'announce', answer: relay.answer, offer_id: relay.offerId, peer_id: relay.fromPeerId, info_hash: relay.infoHash } };
  }

  private async scrape(connId: number, infoHashes: string[]): Promise<Effect[]> {
    const counts = await this.store.counts(infoHashes);
    const files: ScrapeReply['files'] = {};
    infoHashes.forEach((h, i) => (files[h] = counts[i]!));
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

  /** Drops this process's peers that stopped announcing, and offers past their time to live. */
  sweep(nowMs: number): { peersRemoved: number; offersExpired: number } {
    const stale = this.store.local.stalePeers(nowMs - this.options.peerTimeoutMs);
    for (const { infoHash, peerId } of stale) {
      const peer = this.store.local.getPeer(infoHash, peerId);
      const conn = peer && this.conns.get(peer.connId);
      if (conn) this.forget(conn, infoHash, peerId);
      // The local part is removed at once; the shared part follows (a failure there expires by itself).
      this.store.remove(infoHash, peerId).catch(() => {});
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
