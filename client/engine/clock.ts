/**
 * Time as the engine sees it: every timer and every "now" goes through a Clock, so tests and the
 * simulator run the same code on time they drive themselves (see ManualClock).
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

interface ManualTimer {
  id: number;
  atMs: number;
  /** Order among timers due at the same time: when it was set, or an interval last re-armed. */
  seq: number;
  everyMs: number | null;
  fn: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` fires every timer due on the way, in time
 * order (ties in the order they were set, an interval counting as set again each time it fires), with `now()` set to each one's due time.
 * Schedules (rechoke, rotation, timeouts) are then checked by counting events, whatever the machine
 * is busy with. Timers wait in a binary heap, so the swarm simulator (test/sim/) can drive a
 * thousand engines on one.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private seq = 0;
  private readonly heap: ManualTimer[] = [];
  /** Live timers by id; a cleared one stays in the heap until it surfaces, and is dropped then. */
  private readonly live = new Map<number, ManualTimer>();
  /** Timers fired so far. */
  fired = 0;

  constructor(startMs = 1_000_000) {
    this.nowMs = startMs;
  }

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

  /** Timers still to fire. */
  get pending(): number {
    return this.live.size;
  }

  /** Moves time forward by `ms`, firing what falls due (timers added meanwhile included). */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    while (this.fireNext(until));
    this.nowMs = until;
  }

  /** Fires the earliest timer due by `untilMs`, moving time to it; false when there is none. */
  protected fireNext(untilMs: number): boolean {
    const t = this.peek();
    if (t === null || t.atMs > untilMs) return false;
    this.pop();
    this.nowMs = Math.max(this.nowMs, t.atMs);
    if (t.everyMs === null) this.live.delete(t.id);
    else {
      t.atMs += t.everyMs;
      t.seq = this.seq++;
      this.push(t);
    }
    this.fired++;
    t.fn();
    return true;
  }

  private add(fn: () => void, ms: number, everyMs: number | null): number {
    const t: ManualTimer = { id: this.nextId++, atMs: this.nowMs + Math.max(0, ms), seq: this.seq++, everyMs, fn };
    this.live.set(t.id, t);
    this.push(t);
    return t.id;
  }

  /** The earliest live timer (cleared ones on top are dropped), or null. */
  private peek(): ManualTimer | null {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (this.live.get(top.id) === top) return top;
      this.pop();
    }
    return null;
  }

  private pop(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    const h = this.heap;
    for (let i = 0; ; ) {
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

  private push(t: ManualTimer): void {
    const h = this.heap;
    h.push(t);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) return;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
}

function before(a: ManualTimer, b: ManualTimer): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}
