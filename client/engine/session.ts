/**
 * A torrent in a swarm: the Torrent plus one tracker client per tracker URL, with a connection
 * budget so offers are made only for peers the torrent can still take. What the app, the CLI and
 * the teaching demo each run.
 */
import { fromBinaryString, toHex } from '../../shared/bytes.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { Emitter } from '../../shared/emitter.ts';
import type { EngineOptions } from './options.ts';
import { realClock, type Clock } from './clock.ts';
import { Torrent, type TorrentDeps, type TorrentSource, type TorrentStats } from './torrent.ts';
import { TrackerClient, type WebSocketFactory } from './tracker-client.ts';
import type { PeerConnector } from './webrtc.ts';
import { authenticatedConnector, keylessConnector, relayConnector } from './signal-auth.ts';
import { webSeedTransport, type FetchLike } from './web-seed.ts';
import { usableWebSeeds } from '../../shared/web-seed.ts';
import type { Metainfo } from '../../shared/metainfo/types.ts';
import { parseTorrent } from '../../shared/metainfo/parse.ts';

/** A link's .torrent (xs=) that has not arrived in this long is given up on, for the next source or the peers. */
export const METADATA_FETCH_TIMEOUT_MS = 30_000;

/** Peer connections per swarm by default: enough for rarest-first to see the swarm, few enough for a tab. */
export const DEFAULT_MAX_PEERS = 30;
/**
 * A download that verified nothing for this long asks the tracker for more peers at once, rather
 * than wait out the announce interval: the peers it has may all be choking it, or not have what it
 * lacks (a tracker hands each announce's offers to a few random peers, so it can miss the one that
 * matters).
 */
export const STALL_ANNOUNCE_MS = 5_000;

/**
 * A download connected to fewer peers than the swarm holds asks the tracker again after 5, 10,
 * 20… s, until it reaches them all or its budget. The tracker hands each announce's offers to a few
 * random peers, so in a small swarm a newcomer's first offers can miss the seeder, and peers that
 * joined early miss everyone who came later; a leecher left out so kept nothing to trade, was choked
 * by all, and finished seconds after the rest.
 */
export const SEEK_PEERS_FIRST_MS = 5_000;

/**
 * After a tracker reply: how long until we ask that tracker again for more peers (ms after this
 * announce), or null to wait out the interval. `round` counts the replies in a row that found us
 * under-connected, this one included, so the wait doubles each time and never passes the interval.
 */
export function seekPeersAfterMs(
  reply: { complete: number; incomplete: number; interval: number },
  us: { done: boolean; connections: number; free: number },
  round: number,
): number | null {
  // The counts include us: everyone else is complete + incomplete − 1.
  const others = reply.complete + reply.incomplete - 1;
  if (us.done || us.free <= 0 || us.connections >= others) return null;
  return Math.min(reply.interval * 1000, SEEK_PEERS_FIRST_MS * 2 ** (round - 1));
}

export interface SessionOptions {
  trackers: string[];
  connector: PeerConnector;
  openSocket: WebSocketFactory;
  maxPeers?: number;
  /** Connections still free across every swarm of this page (a tab-wide budget), if there is one. */
  freeConnections?: () => number;
  /** Unanswered offers are closed after this long (default: the tracker client's OFFER_TIMEOUT_MS). */
  offerTimeoutMs?: number;
  engine?: Partial<EngineOptions>;
  /** BEP 19 web seeds besides the torrent's own url-list (a magnet link's ws=). */
  webSeeds?: string[];
  /** How web seeds are fetched (default: globalThis.fetch). */
  fetch?: FetchLike;
  /** URLs of the .torrent itself (a magnet link's xs=): the metadata with no peer online. */
  metadataSources?: string[];
  /**
   * A private share's signalling key (deriveKeys().signal): every offer and answer is signed with
   * it, and peers' unsigned or wrongly signed ones are refused with a warning (signal-auth.ts).
   */
  signalKey?: CryptoKey;
  /**
   * A private share whose sharer lets keyless peers relay its ciphertext (x.tsr=1): with a key,
   * unsigned connections are accepted too; without one, signed offers are answered (unsigned).
   */
  allowRelays?: boolean;
  /**
   * When the link expires (ms since 1970, on the session's clock; a private link's x.tse): a session
   * will not start after it, and one running then leaves the swarm with a LINK_EXPIRED error.
   */
  expiresAt?: number;
}

/** Timers longer than this (about 24.8 days) fire at once in browsers and Node: longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function linkExpiredError(expiresAt: number): TabswarmError {
  return new TabswarmError('LINK_EXPIRED', `This link expired at ${new Date(expiresAt).toISOString()}: its sharer set it to stop being shared then, and it no longer is. Ask them for a new link.`);
}

type SessionEvents = {
  warning: [TabswarmError];
  error: [TabswarmError];
  done: [];
  progress: [TorrentStats];
  tracker: [{ url: string; connected: boolean; complete?: number; incomplete?: number }];
};

export class SwarmSession extends Emitter<SessionEvents> {
  readonly torrent: Torrent;
  readonly trackers: TrackerClient[];
  private readonly maxPeers: number;
  private readonly clock: Clock;
  private stallTimer: unknown = null;
  private expiryTimer: unknown = null;
  private stopping: Promise<void> | null = null;

  constructor(source: TorrentSource, deps: TorrentDeps, private readonly opts: SessionOptions) {
    super();
    this.maxPeers = opts.maxPeers ?? DEFAULT_MAX_PEERS;
    this.torrent = new Torrent(source, deps, opts.engine);
    const clock = deps.clock ?? realClock;
    this.clock = clock;
    const connector = opts.signalKey
      ? authenticatedConnector(opts.connector, { key: opts.signalKey, infoHash: this.torrent.infoHash, onRefused: (e) => this.emit('warning', e), allowUnsigned: opts.allowRelays === true })
      : opts.allowRelays
        ? relayConnector(opts.connector) // a relay: it carries the ciphertext, and the sharer said it may
        : keylessConnector(opts.connector, (e) => this.emit('warning', e));
    this.trackers = opts.trackers.map((url) => {
      const t = new TrackerClient({
        url,
        infoHash: this.torrent.infoHash,
        peerId: deps.peerId,
        connector,
        openSocket: opts.openSocket,
        clock,
        random: deps.random,
        stats: () => {
          const s = this.torrent.stats();
          return { uploaded: s.uploaded, downloaded: s.downloaded, left: s.length === null ? null : s.length - s.bytesVerified };
        },
        wantPeers: () => this.wantPeers(),
        peersConnected: () => this.torrent.peerCount,
        connectedTo: (peerIdBinary) => {
          const id = fromBinaryString(peerIdBinary);
          return id !== null && this.torrent.isConnectedTo(toHex(id));
        },
        offerTimeoutMs: opts.offerTimeoutMs,
      });
      t.on('peer', (transport) => {
        if (this.wantPeers() <= 0) transport.close();
        else this.torrent.addPeer(transport);
      });
      t.on('warning', (w) => this.emit('warning', w));
      t.on('connected', () => this.emit('tracker', { url, connected: true }));
      t.on('disconnected', () => this.emit('tracker', { url, connected: false }));
      let seekRounds = 0;
      t.on('update', (u) => {
        this.emit('tracker', { url, connected: true, complete: u.complete, incomplete: u.incomplete });
        const wait = seekPeersAfterMs(u, { done: this.torrent.done, connections: this.connections(), free: this.wantPeers() }, seekRounds + 1);
        seekRounds = wait === null ? 0 : seekRounds + 1;
        if (wait !== null) t.announceSoon(wait);
      });
      return t;
    });
    this.torrent.on('warning', (w) => this.emit('warning', w));
    this.torrent.on('error', (e) => this.emit('error', e));
    this.torrent.on('progress', (s) => this.emit('progress', s));
    // A download that loses a peer looks for more at once instead of waiting out the interval
    // (a connection refused at its handshake, a duplicate or ourselves, was no peer to lose).
    this.torrent.on('peer-close', (_key, _reason, admitted) => {
      if (admitted && !this.torrent.done && this.wantPeers() > 0) for (const t of this.trackers) t.announceSoon();
    });
    this.torrent.on('done', () => {
      for (const t of this.trackers) t.complete();
      this.emit('done');
    });
  }

  /** Each usable web seed joins as a peer while there is something to download (a failed one says why, once). */
  private startWebSeeds(meta: Metainfo): void {
    if (this.torrent.done) return;
    for (const url of usableWebSeeds([...meta.urlList, ...(this.opts.webSeeds ?? [])])) {
      this.torrent.addPeer(webSeedTransport({ url, meta, fetch: this.opts.fetch, onFailure: (e) => this.emit('warning', e) }));
    }
  }

  /** Tries the link's exact sources in turn for the .torrent, while the peers have not sent the metadata. */
  private async fetchMetadata(): Promise<void> {
    const fetchFn: FetchLike = this.opts.fetch ?? ((u, init) => globalThis.fetch(u, init));
    for (const url of this.opts.metadataSources ?? []) {
      if (this.torrent.meta) return;
      let problem: string;
      try {
        const res = await fetchFn(url, { headers: {}, signal: AbortSignal.timeout(METADATA_FETCH_TIMEOUT_MS) });
        if (res.status !== 200) {
          problem = `answered HTTP ${res.status}`;
        } else {
          const meta = parseTorrent(new Uint8Array(await res.arrayBuffer()));
          if (meta.infoHash === this.torrent.infoHash) {
            this.torrent.supplyMetadata(meta);
            return;
          }
          problem = `holds another torrent (${meta.infoHash})`;
        }
      } catch (err) {
        problem = `could not be read (${(err as Error).message})`;
      }
      this.emit('warning', new TabswarmError('METADATA_UNAVAILABLE', `The link's .torrent at ${url} ${problem}; waiting for peers to send the metadata.`));
    }
  }

  /** Peer connections this swarm holds: open ones, and offers and answers still under way (each is an RTCPeerConnection). */
  connections(): number {
    let n = this.torrent.peerCount;
    for (const t of this.trackers) n += t.pendingConnections;
    return n;
  }

  /** Connections this swarm may still open: its own cap, and the page's if it has one. */
  wantPeers(): number {
    const own = this.maxPeers - this.connections();
    return Math.min(own, this.opts.freeConnections?.() ?? own);
  }

  async start(): Promise<void> {
    if (this.opts.trackers.length === 0) throw new TabswarmError('TRACKER_UNREACHABLE', 'No tracker to announce to; give one (ws://… or wss://…).');
    const expiresAt = this.opts.expiresAt;
    if (expiresAt !== undefined) {
      if (this.clock.now() >= expiresAt) throw linkExpiredError(expiresAt);
      this.armExpiry(expiresAt);
    }
    await this.torrent.start();
    if (this.torrent.meta) this.startWebSeeds(this.torrent.meta);
    else {
      this.torrent.on('metadata', (meta) => this.startWebSeeds(meta));
      void this.fetchMetadata();
    }
    for (const t of this.trackers) t.start();
    let verified = -1;
    let stalled = 0;
    this.stallTimer = this.clock.setInterval(() => {
      const s = this.torrent.stats();
      stalled = !s.done && s.bytesVerified === verified ? stalled + 1 : 0;
      verified = s.bytesVerified;
      // After 1, 2, 4, 8… stalled periods: a swarm with nobody in it is not asked every 5 s forever.
      if (stalled > 0 && (stalled & (stalled - 1)) === 0 && this.wantPeers() > 0) for (const t of this.trackers) t.announceSoon();
    }, STALL_ANNOUNCE_MS);
  }

  /** At the link's expiry: stop sharing and say why. */
  private armExpiry(expiresAt: number): void {
    const wait = expiresAt - this.clock.now();
    this.expiryTimer = this.clock.setTimeout(() => {
      this.expiryTimer = null;
      if (this.clock.now() < expiresAt) return this.armExpiry(expiresAt);
      void this.stop().then(() => this.emit('error', linkExpiredError(expiresAt)));
    }, Math.min(wait, MAX_TIMER_MS));
  }

  /** Leaves the swarm (a `stopped` announce) and closes the torrent; once, however often it is called. */
  stop(): Promise<void> {
    this.stopping ??= this.leave();
    return this.stopping;
  }

  private async leave(): Promise<void> {
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (this.stallTimer !== null) this.clock.clearInterval(this.stallTimer);
    await Promise.all(this.trackers.map((t) => t.stop()));
    await this.torrent.destroy();
  }
}
