/**
 * What the engine needs from a connection to a peer: an ordered, reliable byte channel with a
 * visible send buffer. A WebRTC data channel (simple-peer) is one; an in-memory pair is another.
 * Messages may split or join wire messages anywhere: the wire parser does not care.
 */
import type { ConnectionRoute } from './connection-route.ts';

export interface Transport {
  send(data: Uint8Array): void;
  /** Bytes queued but not yet sent; the engine stops writing above its high-water mark. */
  readonly bufferedAmount: number;
  close(): void;
  onData: ((data: Uint8Array) => void) | null;
  onClose: ((reason?: string) => void) | null;
  /** Called when bufferedAmount falls low again (transports that cannot tell are polled). */
  onDrain: (() => void) | null;
  /**
   * An HTTP origin (a BEP 19 web seed) rather than a peer: its pieces are not counted as copies in
   * the swarm, and it is asked only as the offload policy allows (offload.ts).
   */
  readonly origin?: boolean;
  /** For a WebRTC connection: straight between the peers or through a TURN relay (null until known). */
  readonly route?: ConnectionRoute | null;
}

/**
 * Two in-memory transports wired together, for engine tests. Delivery is asynchronous (like a real
 * channel) and each send may be cut into pieces of `chunk` bytes, so tests exercise the stream
 * parser. `delayMs` adds latency; `bytesPerMs` models a link rate for bufferedAmount.
 */
export function memoryPair(opts: { chunk?: number; schedule?: (fn: () => void) => void } = {}): [Transport, Transport] {
  const schedule = opts.schedule ?? ((fn: () => void) => setTimeout(fn, 0));
  const make = (): Transport & { peer?: Transport & { closed: boolean }; closed: boolean; pending: number } => ({
    onData: null,
    onClose: null,
    onDrain: null,
    closed: false,
    pending: 0,
    get bufferedAmount() {
      return this.pending;
    },
    send(data: Uint8Array) {
      if (this.closed) return;
      const copy = data.slice();
      const parts: Uint8Array[] = [];
      const size = opts.chunk ?? copy.length;
      for (let i = 0; i < copy.length; i += size) parts.push(copy.subarray(i, i + size));
      this.pending += copy.length;
      schedule(() => {
        this.pending -= copy.length;
        const peer = this.peer!;
        if (!peer.closed) for (const p of parts) peer.onData?.(p);
        if (this.pending === 0) this.onDrain?.();
      });
    },
    close() {
      if (this.closed) return;
      this.closed = true;
      const peer = this.peer!;
      schedule(() => {
        if (!peer.closed) {
          peer.closed = true;
          peer.onClose?.('remote closed');
        }
      });
    },
  });
  const a = make();
  const b = make();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
