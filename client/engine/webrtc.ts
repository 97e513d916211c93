/**
 * WebRTC peer connections through simple-peer, as engine transports. The SimplePeer class and (in
 * Node) the wrtc implementation are injected, so this module runs in a tab and under Node alike.
 * Offers and answers carry the whole SDP (trickle off), as WebTorrent's signalling expects.
 */
import type { SdpAnswer, SdpOffer } from '../../shared/tracker/messages.ts';
import { TabswarmError } from '../../shared/errors.ts';
import { routeFromStats, type ConnectionRoute } from './connection-route.ts';
import { hasRelay } from './ice-config.ts';
import type { Transport } from './transport.ts';

/** Data-channel messages stay at 64 KiB: large enough to batch 16 KiB blocks, small enough for every SCTP stack. */
export const MAX_CHANNEL_MESSAGE_BYTES = 64 * 1024;
/** Below this many buffered bytes the transport reports drain: a quarter of the engine's default high-water mark, so the channel has 40 ms of data left at 25 MB/s while the next batch is read. */
export const DRAIN_LOW_WATER_BYTES = 1024 * 1024;
/** How often a filling channel is polled for drain (wrtc has no bufferedamountlow event). */
export const DRAIN_POLL_MS = 5;
/**
 * A connection whose ICE state stays "disconnected" this long is given up. A tab that closes or
 * crashes does not always close its data channels; ICE consent checks notice within seconds, but
 * "failed" only comes after about 30 s, during which the peer's requests would hang. Shorter
 * grace periods cut healthy links on a loaded machine (consent checks answered late).
 */
export const ICE_DISCONNECTED_GRACE_MS = 10_000;
/** An offer nobody answers is given up after this long. */
export const CONNECT_TIMEOUT_MS = 30_000;

/** The part of simple-peer we use. */
export interface SimplePeerInstance {
  signal(data: unknown): void;
  send(data: Uint8Array): void;
  destroy(err?: Error): void;
  on(event: 'signal', fn: (data: { type: string; sdp: string }) => void): unknown;
  on(event: 'connect', fn: () => void): unknown;
  on(event: 'data', fn: (data: Uint8Array) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  on(event: 'iceStateChange', fn: (iceConnectionState: string) => void): unknown;
  /** simple-peer's stats, normalised to a list of report objects. */
  getStats?(cb: (err: Error | null, reports: Record<string, unknown>[]) => void): void;
  _channel?: { bufferedAmount: number } | null;
}

export type SimplePeerClass = new (opts: Record<string, unknown>) => SimplePeerInstance;

export interface PeerConnector {
  /** Starts an outgoing connection: resolves with our offer once ICE gathering is complete. */
  createOffer(): Promise<{ offer: SdpOffer; accept(answer: SdpAnswer): void; transport: Promise<Transport>; destroy(): void }>;
  /** Answers an incoming offer. */
  acceptOffer(offer: SdpOffer): Promise<{ answer: SdpAnswer; transport: Promise<Transport>; destroy(): void }>;
}

export interface ConnectorOptions {
  SimplePeer: SimplePeerClass;
  /** @roamhq/wrtc under Node; undefined in a browser. */
  wrtc?: unknown;
  /** The STUN/TURN servers, or where to read the current ones (TURN credentials expire and are renewed). */
  iceServers?: RTCIceServer[] | (() => RTCIceServer[]);
  /** How long a connection may take to open (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** 'relay': only through TURN, so peers never learn each other's addresses (default 'all'). */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /**
   * The DTLS certificate every connection uses (a browser generates a fresh ECDSA key for each
   * RTCPeerConnection otherwise: most of the cost of making one). Undefined: per connection.
   */
  certificate?: () => Promise<RTCCertificate | undefined>;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (h: unknown) => void;
}

/** Reads the connection's route from its stats (null if the stats cannot tell). */
function readRoute(peer: SimplePeerInstance): Promise<ConnectionRoute | null> {
  return new Promise((resolve) => {
    if (!peer.getStats) return resolve(null);
    try {
      peer.getStats((err, reports) => resolve(err ? null : routeFromStats(reports)));
    } catch {
      resolve(null);
    }
  });
}

function toTransport(peer: SimplePeerInstance, opts: ConnectorOptions): Transport {
  const set = opts.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let polling = false;
  let closed = false;
  let route: ConnectionRoute | null = null;
  const learnRoute = () => void readRoute(peer).then((r) => (route = r ?? route));
  const t: Transport = {
    get route() {
      return route;
    },
    onData: null,
    onClose: null,
    onDrain: null,
    get bufferedAmount() {
      return peer._channel?.bufferedAmount ?? 0;
    },
    send(data: Uint8Array) {
      if (closed) return;
      try {
        for (let i = 0; i < data.length; i += MAX_CHANNEL_MESSAGE_BYTES) peer.send(data.subarray(i, i + MAX_CHANNEL_MESSAGE_BYTES));
      } catch {
        t.close();
        return;
      }
      if (!polling && t.bufferedAmount > DRAIN_LOW_WATER_BYTES) {
        polling = true;
        const poll = () => {
          if (closed) return;
          if (t.bufferedAmount > DRAIN_LOW_WATER_BYTES) return void set(poll, DRAIN_POLL_MS);
          polling = false;
          t.onDrain?.();
        };
        set(poll, DRAIN_POLL_MS);
      }
    },
    close() {
      if (closed) return;
      closed = true;
      peer.destroy();
      t.onClose?.('closed by us');
    },
  };
  peer.on('data', (d) => t.onData?.(d instanceof Uint8Array ? d : new Uint8Array(d as ArrayBuffer)));
  peer.on('close', () => {
    if (closed) return;
    closed = true;
    t.onClose?.('connection closed');
  });
  peer.on('error', () => {
    /* 'close' follows */
  });
  let grace: unknown = null;
  peer.on('iceStateChange', (state) => {
    if (state === 'disconnected' && grace === null) {
      grace = set(() => t.close(), ICE_DISCONNECTED_GRACE_MS);
    } else if (state === 'connected' || state === 'completed') {
      learnRoute(); // ICE may have moved to another pair (a relay, when the direct one broke)
      if (grace !== null) (opts.clearTimeout ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(grace);
      grace = null;
    }
  });
  learnRoute();
  return t;
}

/** simple-peer's codes for a connection whose ICE (or peer connection) state went to "failed". */
const CONNECTION_FAILURES = new Set(['ERR_ICE_CONNECTION_FAILURE', 'ERR_CONNECTION_FAILURE']);

/** Why a peer we were introduced to could not be reached: what the person can do about it depends on whether a relay was on offer. */
export function unreachableError(iceServers: readonly RTCIceServer[]): TabswarmError {
  return hasRelay(iceServers)
    ? new TabswarmError('PEER_UNREACHABLE', "Could not connect to a peer, not even through this server's TURN relay: a firewall may block UDP and TCP to it. Other peers may still connect.")
    : new TabswarmError(
        'PEER_UNREACHABLE',
        'Could not connect to a peer: there is no direct route between you (both behind NATs or firewalls that block it), and this server offers no TURN relay to go through. If no peer connects, ask its operator to set TURN_URLS and TURN_SECRET (README: NAT traversal and TURN).',
      );
}

export function simplePeerConnector(opts: ConnectorOptions): PeerConnector {
  const set = opts.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clear = opts.clearTimeout ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const iceServers = typeof opts.iceServers === 'function' ? opts.iceServers : () => (opts.iceServers as RTCIceServer[] | undefined) ?? [];
  const make = async (initiator: boolean) => {
    const certificate = await opts.certificate?.();
    const servers = iceServers();
    const config: RTCConfiguration = { iceServers: servers, iceTransportPolicy: opts.iceTransportPolicy ?? 'all', ...(certificate ? { certificates: [certificate] } : {}) };
    return { peer: new opts.SimplePeer({ initiator, trickle: false, wrtc: opts.wrtc, config, channelConfig: { ordered: true } }), servers };
  };

  /** Opens, or fails with PEER_UNREACHABLE when ICE found no working route (or the set-up timed out). */
  function connected(peer: SimplePeerInstance, servers: RTCIceServer[]): Promise<Transport> {
    return new Promise((resolve, reject) => {
      let iceConnected = false;
      let failed = false;
      const timer = set(() => {
        peer.destroy();
        reject(unreachableError(servers));
      }, opts.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
      peer.on('connect', () => {
        clear(timer);
        resolve(toTransport(peer, opts));
      });
      peer.on('iceStateChange', (state) => {
        if (state === 'connected' || state === 'completed') iceConnected = true;
      });
      peer.on('close', () => {
        clear(timer);
        // A failure before ICE ever connected: no candidate pair worked, so no route between us.
        reject(failed && !iceConnected ? unreachableError(servers) : new Error('WebRTC connection closed before it opened'));
      });
      peer.on('error', (err) => {
        if (CONNECTION_FAILURES.has(String((err as Error & { code?: unknown }).code))) failed = true;
      });
    });
  }

  function firstSignal(peer: SimplePeerInstance): Promise<{ type: string; sdp: string }> {
    return new Promise((resolve, reject) => {
      peer.on('signal', resolve);
      peer.on('error', reject);
    });
  }

  return {
    async createOffer() {
      const { peer, servers } = await make(true);
      const transport = connected(peer, servers);
      transport.catch(() => {});
      const signal = await firstSignal(peer);
      return {
        offer: { type: 'offer', sdp: signal.sdp },
        accept: (answer) => peer.signal(answer),
        transport,
        destroy: () => peer.destroy(),
      };
    },
    async acceptOffer(offer) {
      const { peer, servers } = await make(false);
      const transport = connected(peer, servers);
      transport.catch(() => {});
      peer.signal(offer);
      const signal = await firstSignal(peer);
      return { answer: { type: 'answer', sdp: signal.sdp }, transport, destroy: () => peer.destroy() };
    },
  };
}
