/**
 * A WebTorrent WebSocket tracker client for one torrent and one tracker URL: it creates offers
 * ahead of each announce, answers offers it is given, re-announces on the tracker's interval, says
 * "completed" and "stopped", and reconnects with backoff when the tracker goes away — peer
 * connections already made are independent of the socket and carry on meanwhile.
 */
import { fromHex, toBinaryString } from '../../shared/bytes.ts';
import { Emitter } from '../../shared/emitter.ts';
import { TabswarmError, isTabswarmError } from '../../shared/errors.ts';
import type { AnnounceEvent, AnnounceRequest, AnswerRequest, ScrapeCounts } from '../../shared/tracker/messages.ts';
import { parseJsonFrame, validateServerMessage } from '../../shared/tracker/validate.ts';
import type { Clock } from './clock.ts';
import type { Transport } from './transport.ts';
import type { PeerConnector } from './webrtc.ts';

/** Offers made per announce at most (WebTorrent's client makes at most 5 too: each costs ICE gathering). */
export const MAX_OFFERS_PER_ANNOUNCE = 5;
export const RECONNECT_MIN_MS = 1_000;
export const RECONNECT_MAX_MS = 60_000;
/** Never re-announce more often than this, whatever a tracker says. */
export const MIN_ANNOUNCE_INTERVAL_MS = 5_000;
/** Unanswered offers are dropped after this long, freeing their connection budget. */
export const OFFER_TIMEOUT_MS = 50_000;

/**
 * How many offers an announce carries. Each offer is an RTCPeerConnection (ICE gathering, and if
 * answered a DTLS handshake), and an offer the tracker hands to a peer we already hold used to end
 * in a duplicate connection, made and closed again: in an 8-tab swarm that churn cost more CPU than
 * moving the data. Peers now leave offers from peers they hold unanswered, so an offer that lands
 * on one costs little; but an announce made while we hold every peer the tracker counts needs none
 * at all. While some are missing we offer the full MAX_OFFERS_PER_ANNOUNCE (within the budget):
 * the tracker hands offers to random peers, so offering only as many as are missing would mostly
 * reach peers we hold, and leave the missing ones unmet for many rounds.
 */
export function offersToMake(swarm: { complete: number; incomplete: number } | null, peersConnected: number, free: number): number {
  const cap = Math.max(0, Math.min(MAX_OFFERS_PER_ANNOUNCE, free));
  if (swarm === null) return cap;
  // The counts include us.
  const missing = swarm.complete + swarm.incomplete - 1 - peersConnected;
  return missing > 0 ? cap : 0;
}

/** The browser's WebSocket, or the `ws` package's (same API) under Node. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketFactory = (url: string) => WebSocketLike;

export interface TrackerClientOptions {
  url: string;
  infoHash: string;
  peerId: Uint8Array;
  connector: PeerConnector;
  openSocket: WebSocketFactory;
  clock: Clock;
  random?: () => number;
  /** Announce figures, read at each announce. */
  stats(): { uploaded: number; downloaded: number; left: number | null };
  /** How many more peer connections the torrent can take now (the connection budget, counting our pending ones). */
  wantPeers(): number;
  /** Peers the torrent holds open connections to (default: unknown, offers are made up to the budget). */
  peersConnected?(): number;
  /** Whether the torrent already holds a connection to this peer id (binary string, as the tracker sends it): its offers are not answered. */
  connectedTo?(peerIdBinary: string): boolean;
  /** Unanswered offers are closed after this long (default OFFER_TIMEOUT_MS). */
  offerTimeoutMs?: number;
}

type TrackerEvents = {
  peer: [Transport];
  update: [ScrapeCounts & { interval: number }];
  warning: [TabswarmError];
  connected: [];
  disconnected: [];
};

const OPEN = 1;

export class TrackerClient extends Emitter<TrackerEvents> {
  private socket: WebSocketLike | null = null;
  private readonly infoHashBinary: string;
  private readonly peerIdBinary: string;
  /** A PEER_UNREACHABLE warning was given and no connection has opened since. */
  private unreachableSaid = false;
  private readonly offers = new Map<string, { accept(a: { type: 'answer'; sdp: string }): void; transport: Promise<Transport>; destroy(): void; timer: unknown }>();
  private announceTimer: unknown = null;
  private reconnectTimer: unknown = null;
  private attempts = 0;
  /** Connections under way that are not in `offers`: slots reserved for offers being made, and answered ones whose data channel is not open yet. */
  private connecting = 0;
  /** Announces refused in a row (reset by an accepted one). */
  private refusals = 0;
  private intervalMs = 120_000;
  private stopped = false;
  private started = false;
  private announcing = false;
  private lastAnnounceMs = -Infinity;
  /** The swarm's size as the tracker last told it (null before the first reply). */
  private swarm: { complete: number; incomplete: number } | null = null;
  /** Peers whose offer we are answering, so a second offer from one of them meanwhile is not answered too. */
  private readonly answering = new Set<string>();

  constructor(private readonly opts: TrackerClientOptions) {
    super();
    this.infoHashBinary = toBinaryString(fromHex(opts.infoHash)!);
    this.peerIdBinary = toBinaryString(opts.peerId);
  }

  /** Peer connections this client has begun and not yet handed over: offers awaiting answers, and answered ones still connecting. */
  get pendingConnections(): number {
    return this.offers.size + this.connecting;
  }

  get connected(): boolean {
    return this.socket?.readyState === OPEN;
  }

  start(): void {
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    let socket: WebSocketLike;
    try {
      socket = this.opts.openSocket(this.opts.url);
    } catch (err) {
      this.emit('warning', new TabswarmError('TRACKER_UNREACHABLE', `Cannot open the tracker at ${this.opts.url}: ${String(err)}`));
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.emit('connected');
      void this.announce(this.started ? undefined : 'started');
      this.started = true;
    };
    socket.onmessage = (ev) => this.onMessage(typeof ev.data === 'string' ? ev.data : String(ev.data));
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearAnnounceTimer();
      this.emit('disconnected');
      if (!this.stopped) {
        this.emit('warning', new TabswarmError('TRACKER_UNREACHABLE', `Lost the tracker at ${this.opts.url}; retrying. Peers already connected carry on.`));
        this.scheduleReconnect();
      }
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer !== null) return;
    const random = this.opts.random ?? Math.random;
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempts++);
    // Full jitter: many clients losing one tracker must not come back in one wave.
    const delay = base / 2 + random() * (base / 2);
    this.reconnectTimer = this.opts.clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private clearAnnounceTimer(): void {
    if (this.announceTimer !== null) this.opts.clock.clearTimeout(this.announceTimer);
    this.announceTimer = null;
  }

  private send(msg: AnnounceRequest | AnswerRequest): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(msg));
  }

  private randomId(): string {
    const random = this.opts.random ?? Math.random;
    let s = '';
    for (let i = 0; i < 20; i++) s += String.fromCharCode(Math.floor(random() * 256));
    return s;
  }

  /** Announces now, with fresh offers unless the event needs none. */
  async announce(event?: AnnounceEvent): Promise<void> {
    if (this.announcing && event === undefined) return;
    this.announcing = true;
    try {
      const { uploaded, downloaded, left } = this.opts.stats();
      const msg: AnnounceRequest = { action: 'announce', info_hash: this.infoHashBinary, peer_id: this.peerIdBinary, uploaded, downloaded, left, numwant: 0 };
      if (event) msg.event = event;
      this.lastAnnounceMs = this.opts.clock.now();
      if (event !== 'stopped' && event !== 'completed') {
        const want = this.opts.peersConnected ? offersToMake(this.swarm, this.opts.peersConnected(), this.opts.wantPeers()) : Math.max(0, Math.min(MAX_OFFERS_PER_ANNOUNCE, this.opts.wantPeers()));
        // Reserve the slots while the connections are being made, so another swarm's announce meanwhile
        // sees them taken; each moves from the reservation to the offers as it is made (see makeOffer).
        this.connecting += want;
        const made = await Promise.all(Array.from({ length: want }, () => this.makeOffer()));
        msg.offers = made.filter((o): o is NonNullable<typeof o> => o !== null);
        msg.numwant = msg.offers.length;
      }
      this.send(msg);
    } finally {
      this.announcing = false;
    }
    if (event !== 'stopped') this.scheduleAnnounce();
  }

  /**
   * Asks for peers `afterMs` after the last announce rather than at the next interval (a download
   * lost its peers, or has fewer than the swarm holds), but never sooner than MIN_ANNOUNCE_INTERVAL_MS.
   */
  announceSoon(afterMs = MIN_ANNOUNCE_INTERVAL_MS): void {
    if (this.stopped || !this.connected) return;
    const wait = this.lastAnnounceMs + Math.max(MIN_ANNOUNCE_INTERVAL_MS, afterMs) - this.opts.clock.now();
    this.clearAnnounceTimer();
    this.announceTimer = this.opts.clock.setTimeout(() => void this.announce(), Math.max(0, wait));
  }

  /**
   * A refusal is often brief — behind a load balancer our peer id can still be held for a few
   * seconds by a tracker process that just died — so try again with a growing delay rather than
   * stay unlisted until the next interval.
   */
  private retryAfterRefusal(): void {
    if (this.stopped || !this.connected) return;
    const delay = Math.min(this.intervalMs, MIN_ANNOUNCE_INTERVAL_MS * 2 ** this.refusals++);
    this.clearAnnounceTimer();
    this.announceTimer = this.opts.clock.setTimeout(() => void this.announce(), delay);
  }

  private scheduleAnnounce(): void {
    this.clearAnnounceTimer();
    if (this.stopped) return;
    this.announceTimer = this.opts.clock.setTimeout(() => void this.announce(), this.intervalMs);
  }

  /** Makes one offer for a slot reserved in `connecting`; the slot passes to `offers` (or is freed) in the same step. */
  private async makeOffer(): Promise<{ offer: { type: 'offer'; sdp: string }; offer_id: string } | null> {
    let handle: Awaited<ReturnType<PeerConnector['createOffer']>>;
    try {
      handle = await this.opts.connector.createOffer();
    } catch {
      this.connecting--;
      return null;
    }
    const offerId = this.randomId();
    const timer = this.opts.clock.setTimeout(() => {
      this.offers.get(offerId)?.destroy();
      this.offers.delete(offerId);
    }, this.opts.offerTimeoutMs ?? OFFER_TIMEOUT_MS);
    this.offers.set(offerId, { ...handle, timer });
    this.connecting--;
    return { offer: handle.offer, offer_id: offerId };
  }

  private onMessage(text: string): void {
    const json = parseJsonFrame(text);
    const parsed = json.ok ? validateServerMessage(json.value) : json;
    if (!parsed.ok) return this.emit('warning', parsed.error);
    const msg = parsed.value;
    if ('info_hash' in msg && msg.info_hash !== undefined && msg.info_hash !== this.infoHashBinary) return; // another torrent on a shared socket
    switch (msg.kind) {
      case 'failure':
        this.emit('warning', new TabswarmError('TRACKER_UNREACHABLE', `Tracker ${this.opts.url} refused: ${msg['failure reason']}`));
        return this.retryAfterRefusal();
      case 'announce-reply':
        this.refusals = 0;
        this.intervalMs = Math.max(MIN_ANNOUNCE_INTERVAL_MS, msg.interval * 1000);
        this.scheduleAnnounce();
        this.swarm = { complete: msg.complete, incomplete: msg.incomplete };
        return this.emit('update', { complete: msg.complete, incomplete: msg.incomplete, downloaded: 0, interval: msg.interval });
      case 'offer':
        return void this.answerOffer(msg.peer_id, msg.offer_id, msg.offer);
      case 'answer': {
        const pending = this.offers.get(msg.offer_id);
        if (!pending) return;
        this.offers.delete(msg.offer_id);
        this.opts.clock.clearTimeout(pending.timer);
        pending.accept(msg.answer);
        this.connecting++;
        this.whenOpen(pending.transport);
        return;
      }
      case 'scrape-reply':
        return;
    }
  }

  private async answerOffer(fromPeer: string, offerId: string, offer: { type: 'offer'; sdp: string }): Promise<void> {
    if (fromPeer === this.peerIdBinary || this.opts.wantPeers() <= 0) return;
    // A peer we hold (or are answering) already: a second connection would be closed as a duplicate.
    // Its offer stays unanswered and times out on its side.
    if (this.answering.has(fromPeer) || this.opts.connectedTo?.(fromPeer)) return;
    // The slot is taken from now on: offers arriving together must not all pass the check above.
    this.connecting++;
    this.answering.add(fromPeer);
    let handle: Awaited<ReturnType<PeerConnector['acceptOffer']>>;
    try {
      handle = await this.opts.connector.acceptOffer(offer);
    } catch {
      this.connecting--; // a broken offer costs nothing but itself
      this.answering.delete(fromPeer);
      return;
    }
    this.send({ action: 'announce', info_hash: this.infoHashBinary, peer_id: this.peerIdBinary, to_peer_id: fromPeer, offer_id: offerId, answer: handle.answer });
    this.whenOpen(handle.transport, () => this.answering.delete(fromPeer));
  }

  /** A connection counted in `connecting` stops counting when its channel opens (handed to the torrent) or fails. */
  private whenOpen(transport: Promise<Transport>, settled?: () => void): void {
    transport.then(
      (t) => {
        this.connecting--;
        settled?.();
        this.unreachableSaid = false; // a later failure is news again
        this.emit('peer', t);
      },
      (err: unknown) => {
        this.connecting--;
        settled?.();
        // Said once, not per peer: a tab behind a strict NAT would otherwise repeat it every announce.
        if (isTabswarmError(err, 'PEER_UNREACHABLE') && !this.unreachableSaid) {
          this.unreachableSaid = true;
          this.emit('warning', err);
        }
      },
    );
  }

  /** The download finished: tell the tracker (so we count as a seeder). */
  complete(): void {
    void this.announce('completed');
  }

  /** Leaves the swarm: a `stopped` announce, then the socket closes. Pending offers are dropped. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    if (this.socket?.readyState === OPEN) await this.announce('stopped');
    this.stopped = true;
    this.clearAnnounceTimer();
    if (this.reconnectTimer !== null) this.opts.clock.clearTimeout(this.reconnectTimer);
    for (const o of this.offers.values()) {
      this.opts.clock.clearTimeout(o.timer);
      o.destroy();
    }
    this.offers.clear();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'client stopped');
  }
}
