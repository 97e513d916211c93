/**
 * WebRTC peer connections through simple-peer, as engine transports. The SimplePeer class and (in
 * Node) the wrtc implementation are injected, so this module runs in a tab and under Node alike.
 * Offers and answers carry the whole SDP (trickle off), as WebTorrent's signalling expects.
 */
import type { SdpAnswer, SdpOffer } from '../../shared/tracker/messages.ts';
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
  iceServers?: RTCIceServer[];
  /**
   * The DTLS certificate every connection uses (a browser generates a fresh ECDSA key for each
   * RTCPeerConnection otherwise: most of the cost of making one). Undefined: per connection.
   */
  certificate?: () => Promise<RTCCertificate | undefined>;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (h: unknown) => void;
}

function toTransport(peer: SimplePeerInstance, opts: ConnectorOptions): Transport {
  const set = opts.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  let polling = false;
  let closed = false;
  const t: Transport = {
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
      if (grace !== null) (opts.clearTimeout ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>)))(grace);
      grace = null;
    }
  });
  return t;
}

export function simplePeerConnector(opts: ConnectorOptions): PeerConnector {
  const set = opts.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clear = opts.clearTimeout ?? ((h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const make = async (initiator: boolean) => {
    const certificate = await opts.certificate?.();
    const config: RTCConfiguration = { iceServers: opts.iceServers ?? [], ...(certificate ? { certificates: [certificate] } : {}) };
    return new opts.SimplePeer({ initiator, trickle: false, wrtc: opts.wrtc, config, channelConfig: { ordered: true } });
  };

  function connected(peer: SimplePeerInstance): Promise<Transport> {
    return new Promise((resolve, reject) => {
      const timer = set(() => {
        peer.destroy();
        reject(new Error('WebRTC connection timed out'));
      }, CONNECT_TIMEOUT_MS);
      peer.on('connect', () => {
        clear(timer);
        resolve(toTransport(peer, opts));
      });
      peer.on('close', () => {
        clear(timer);
        reject(new Error('WebRTC connection closed before it opened'));
      });
      peer.on('error', () => {});
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
      const peer = await make(true);
      const transport = connected(peer);
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
      const peer = await make(false);
      const transport = connected(peer);
      transport.catch(() => {});
      peer.signal(offer);
      const signal = await firstSignal(peer);
      return { answer: { type: 'answer', sdp: signal.sdp }, transport, destroy: () => peer.destroy() };
    },
  };
}
