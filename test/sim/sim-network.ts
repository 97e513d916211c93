/**
 * Simulated links between peers, carrying the engine's real wire bytes on virtual time. Each peer
 * has an upload and a download capacity (bytes/s) and a one-way latency. Time moves in steps of
 * STEP_MS while anything is queued: in each step the connections with bytes waiting share every
 * peer's upload and download max-min fairly, as TCP-like flows share their bottlenecks: a
 * connection held back by its far end (a slow downloader) leaves the capacity it cannot use to
 * the sender's other connections, and one with little queued takes only that. A message arrives
 * once its last byte has been sent, plus the sender's and the receiver's latency. Latency is half
 * the RTT, split evenly.
 */
import type { Transport } from '../../client/engine/transport.ts';
import { MAX_CHANNEL_MESSAGE_BYTES } from '../../client/engine/webrtc.ts';
import type { SimClock } from './sim-clock.ts';

/** Granularity of the link model: shares are recomputed this often while bytes are queued. */
export const STEP_MS = 10;
/** Rounds of progressive filling per step: enough for the shares to settle in the swarms simulated (each round settles at least the tightest end). */
const MAX_FAIR_SHARE_ROUNDS = 6;
/** Capacity or demand below this many bytes in a step counts as used up. */
const SETTLED_BYTES = 1;
/** The engine is told its channel drained once this little is queued (as a data channel's low-water mark). */
export const DRAIN_LOW_WATER_BYTES = 64 * 1024;
/**
 * V8 keeps a typed array this small inside its heap (typed_array_max_size_in_heap), without an
 * ArrayBuffer; the first view taken of it (the receiver's parser takes views) makes one, which
 * costs ~25 × the array itself. The engine's small messages (a HAVE is 9 bytes, a REQUEST 17)
 * are the bulk of all writes at N = 1,000, so the simulator copies them into a shared slab
 * instead: the bytes and their boundaries are the same, the views into the slab cost nothing extra.
 */
const IN_HEAP_TYPED_ARRAY_BYTES = 64;
/** One slab of copied small writes; a new one is started when it is full. */
const SMALL_WRITE_SLAB_BYTES = 64 * 1024;

export interface LinkSpec {
  /** Upload capacity, bytes/s. */
  upBps: number;
  /** Download capacity, bytes/s. */
  downBps: number;
  /** One-way latency from this peer into the network, ms. */
  latencyMs: number;
}

interface Channel {
  from: number;
  to: number;
  queue: Uint8Array[];
  /** Bytes of queue[0] already sent. */
  headSent: number;
  queuedBytes: number;
  /** Messages fully sent this step, delivered together after the latency. */
  outbox: Uint8Array[];
  closed: boolean;
  /** Fractions of a byte this channel's shares left over (bytes move whole). */
  credit: number;
  /** The receiving end's transport. */
  peer: SimTransport | null;
  self: SimTransport | null;
}

interface FairShareScratch {
  leftUp: Float64Array;
  leftDown: Float64Array;
  countUp: Uint32Array;
  countDown: Uint32Array;
  grants: Float64Array;
  live: Uint32Array;
  shares: Float64Array;
}

interface SimTransport extends Transport {
  channel: Channel;
}

export class SimNetwork {
  private readonly nodes: LinkSpec[] = [];
  /** Bytes each node has sent, all connections together. */
  readonly sentBytes: number[] = [];
  private readonly active = new Set<Channel>();
  private stepping = false;
  private fairScratch: FairShareScratch | null = null;
  private slab = new Uint8Array(SMALL_WRITE_SLAB_BYTES);
  private slabUsed = 0;

  constructor(private readonly clock: SimClock) {}

  addNode(spec: LinkSpec): number {
    this.nodes.push(spec);
    this.sentBytes.push(0);
    return this.nodes.length - 1;
  }

  spec(node: number): LinkSpec {
    return this.nodes[node]!;
  }

  /** A connection between two nodes: the transport each end hands to its engine. */
  connect(a: number, b: number): [Transport, Transport] {
    const ab = this.channel(a, b);
    const ba = this.channel(b, a);
    const ta = this.transport(ab, ba);
    const tb = this.transport(ba, ab);
    return [ta, tb];
  }

  private channel(from: number, to: number): Channel {
    return { from, to, queue: [], headSent: 0, queuedBytes: 0, outbox: [], closed: false, credit: 0, peer: null, self: null };
  }

  private transport(out: Channel, inbound: Channel): SimTransport {
    const net = this;
    const t: SimTransport = {
      channel: out,
      onData: null,
      onClose: null,
      onDrain: null,
      get bufferedAmount() {
        return out.queuedBytes;
      },
      send(data: Uint8Array) {
        if (out.closed || data.length === 0) return;
        // As the WebRTC transport does (webrtc.ts): a write goes out as messages of at most 64 KiB,
        // each delivered as soon as it is sent, not when the whole write is.
        if (data.length <= IN_HEAP_TYPED_ARRAY_BYTES) out.queue.push(net.copyToSlab(data));
        else for (let i = 0; i < data.length; i += MAX_CHANNEL_MESSAGE_BYTES) out.queue.push(data.subarray(i, i + MAX_CHANNEL_MESSAGE_BYTES));
        out.queuedBytes += data.length;
        net.active.add(out);
        net.startStepping();
      },
      close() {
        if (out.closed) return;
        net.closePair(out, inbound, 'closed by us', 'connection closed');
      },
    };
    out.self = t;
    // The inbound channel's receiver is this transport.
    inbound.peer = t;
    return t;
  }

  /** A copy of a small write, in the current slab (see IN_HEAP_TYPED_ARRAY_BYTES). */
  private copyToSlab(data: Uint8Array): Uint8Array {
    if (this.slabUsed + data.length > this.slab.length) {
      this.slab = new Uint8Array(SMALL_WRITE_SLAB_BYTES);
      this.slabUsed = 0;
    }
    const copy = this.slab.subarray(this.slabUsed, this.slabUsed + data.length);
    copy.set(data);
    this.slabUsed += data.length;
    return copy;
  }

  private closePair(out: Channel, inbound: Channel, ours: string, theirs: string): void {
    out.closed = inbound.closed = true;
    this.active.delete(out);
    this.active.delete(inbound);
    out.queue = [];
    inbound.queue = [];
    out.queuedBytes = inbound.queuedBytes = 0;
    const self = out.self!;
    const remote = inbound.self!;
    self.onClose?.(ours);
    // The far end learns after the latency.
    this.clock.setTimeout(() => remote.onClose?.(theirs), this.delay(out));
  }

  private delay(c: Channel): number {
    return this.nodes[c.from]!.latencyMs + this.nodes[c.to]!.latencyMs;
  }

  private startStepping(): void {
    if (this.stepping) return;
    this.stepping = true;
    this.clock.setTimeout(() => this.step(), STEP_MS);
  }

  /** One step of the link model: every active channel moves its share of bytes. */
  private step(): void {
    const channels = [...this.active];
    const grants = this.fairShares(channels);
    const drained: Channel[] = [];
    for (let i = 0; i < channels.length; i++) {
      const c = channels[i]!;
      c.credit += grants[i]!;
      let budget = Math.floor(c.credit);
      c.credit -= budget;
      const wasHigh = c.queuedBytes > DRAIN_LOW_WATER_BYTES;
      while (budget > 0 && c.queue.length > 0) {
        const head = c.queue[0]!;
        const take = Math.min(budget, head.length - c.headSent);
        c.headSent += take;
        budget -= take;
        c.queuedBytes -= take;
        this.sentBytes[c.from]! += take;
        if (c.headSent >= head.length) {
          c.outbox.push(head);
          c.queue.shift();
          c.headSent = 0;
        }
      }
      if (c.outbox.length > 0) this.deliver(c);
      if (c.queue.length === 0) {
        this.active.delete(c);
        c.credit = 0;
      }
      if (wasHigh && c.queuedBytes <= DRAIN_LOW_WATER_BYTES) drained.push(c);
    }
    this.stepping = false;
    for (const c of drained) if (!c.closed) c.self!.onDrain?.();
    if (this.active.size > 0) this.startStepping();
  }

  /**
   * Bytes each channel may move this step: max-min fair shares of every peer's upload and download
   * (progressive filling, as TCP-like flows share a bottleneck). Each round offers every unsettled
   * channel an equal share of what is left at both its ends (the smaller of the two, and no more
   * than it has queued); a channel is settled once either end is used up or its queue is covered,
   * and what it did not take goes to the others in the next round.
   */
  private fairShares(channels: readonly Channel[]): Float64Array {
    const m = channels.length;
    const s = this.scratch(m);
    const { leftUp, leftDown, countUp, countDown, live, shares } = s;
    const grants = s.grants.subarray(0, m);
    grants.fill(0);
    for (let i = 0; i < m; i++) {
      const c = channels[i]!;
      leftUp[c.from] = (this.nodes[c.from]!.upBps * STEP_MS) / 1000;
      leftDown[c.to] = (this.nodes[c.to]!.downBps * STEP_MS) / 1000;
      live[i] = i;
    }
    let liveCount = m;
    for (let round = 0; round < MAX_FAIR_SHARE_ROUNDS && liveCount > 0; round++) {
      for (let k = 0; k < liveCount; k++) {
        const c = channels[live[k]!]!;
        countUp[c.from] = 0;
        countDown[c.to] = 0;
      }
      for (let k = 0; k < liveCount; k++) {
        const c = channels[live[k]!]!;
        countUp[c.from]!++;
        countDown[c.to]!++;
      }
      // Shares from the round's start, so no end gives out more than it has left.
      for (let k = 0; k < liveCount; k++) {
        const i = live[k]!;
        const c = channels[i]!;
        shares[k] = Math.min(leftUp[c.from]! / countUp[c.from]!, leftDown[c.to]! / countDown[c.to]!, c.queuedBytes - grants[i]!);
      }
      for (let k = 0; k < liveCount; k++) {
        const i = live[k]!;
        const c = channels[i]!;
        grants[i]! += shares[k]!;
        leftUp[c.from]! -= shares[k]!;
        leftDown[c.to]! -= shares[k]!;
      }
      let kept = 0;
      for (let k = 0; k < liveCount; k++) {
        const i = live[k]!;
        const c = channels[i]!;
        if (leftUp[c.from]! > SETTLED_BYTES && leftDown[c.to]! > SETTLED_BYTES && c.queuedBytes - grants[i]! > SETTLED_BYTES) live[kept++] = i;
      }
      liveCount = kept;
    }
    return grants;
  }

  /** Work arrays for fairShares, kept between steps (a step runs a hundred times a simulated second). */
  private scratch(channels: number): FairShareScratch {
    const n = this.nodes.length;
    let s = this.fairScratch;
    if (s === null || s.leftUp.length < n || s.grants.length < channels) {
      const nodes = Math.max(n, s?.leftUp.length ?? 0) * 2;
      const chans = Math.max(channels, s?.grants.length ?? 0) * 2;
      s = {
        leftUp: new Float64Array(nodes),
        leftDown: new Float64Array(nodes),
        countUp: new Uint32Array(nodes),
        countDown: new Uint32Array(nodes),
        grants: new Float64Array(chans),
        live: new Uint32Array(chans),
        shares: new Float64Array(chans),
      };
      this.fairScratch = s;
    }
    return s;
  }

  private deliver(c: Channel): void {
    const batch = c.outbox;
    c.outbox = [];
    this.clock.setTimeout(() => {
      if (c.closed) return;
      const receiver = c.peer!;
      for (const m of batch) {
        if (c.closed) return;
        receiver.onData?.(m);
      }
    }, this.delay(c));
  }
}
