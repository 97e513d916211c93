/**
 * Virtual time for the simulator: the engine's Clock, backed by a binary heap of timers, so a
 * swarm of a thousand peers (each with its tick, rechoke and block timers) runs as fast as the CPU
 * allows and the same way every time. `run` fires timers in time order (ties in the order they
 * were set) and lets the engine's promise chains settle after each one, as the event loop would.
 */
import type { Clock } from '../../client/engine/clock.ts';

interface Timer {
  id: number;
  atMs: number;
  seq: number;
  everyMs: number | null;
  fn: () => void;
}

export class SimClock implements Clock {
  private nowMs = 0;
  private seq = 0;
  private nextId = 1;
  private readonly heap: Timer[] = [];
  private readonly live = new Map<number, Timer>();
  /** Timers fired so far: the simulation's count of events. */
  fired = 0;

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    return this.add(fn, ms, null);
  }

  setInterval(fn: () => void, ms: number): unknown {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(handle: unknown): void {
    this.live.delete(handle as number);
  }

  clearInterval(handle: unknown): void {
    this.live.delete(handle as number);
  }

  /**
   * Fires timers in order until `done()` holds or virtual time would pass `untilMs`. After each
   * timer, promise chains it started run to completion (a macrotask turn drains them), so async
   * steps (store reads, hashing) take no virtual time, as on a machine that is not CPU-bound.
   */
  async run(done: () => boolean, untilMs: number): Promise<void> {
    while (!done()) {
      const t = this.pop();
      if (t === null || t.atMs > untilMs) {
        if (t) this.push(t);
        return;
      }
      this.nowMs = Math.max(this.nowMs, t.atMs);
      if (t.everyMs !== null) {
        t.atMs += t.everyMs;
        t.seq = this.seq++;
        this.push(t);
      } else {
        this.live.delete(t.id);
      }
      this.fired++;
      t.fn();
      await settle();
    }
  }

  private add(fn: () => void, ms: number, everyMs: number | null): number {
    const t: Timer = { id: this.nextId++, atMs: this.nowMs + Math.max(0, ms), seq: this.seq++, everyMs, fn };
    this.live.set(t.id, t);
    this.push(t);
    return t.id;
  }

  /** The earliest live timer, or null (cleared ones are dropped as they surface). */
  private pop(): Timer | null {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      const last = this.heap.pop()!;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.down(0);
      }
      if (this.live.get(top.id) === top) return top;
    }
    return null;
  }

  private push(t: Timer): void {
    this.heap.push(t);
    let i = this.heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(this.heap[i]!, this.heap[p]!)) break;
      [this.heap[i], this.heap[p]] = [this.heap[p]!, this.heap[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l]!, h[m]!)) m = l;
      if (r < h.length && before(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/**
 * Promise chains this deep settle before the next timer fires. The engine's chains after an event
 * (a store read, a hash, a write, a bitfield save) are a few steps; a macrotask turn (setImmediate)
 * would settle any depth but cost a tenth more wall time, with the same results on every scenario
 * we compared. A deeper chain would not break determinism, only finish at the next event's time.
 */
const SETTLE_DEPTH = 32;

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_DEPTH; i++) await null;
}
