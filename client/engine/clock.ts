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
  everyMs: number | null;
  fn: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` fires every timer due on the way, in time
 * order, with `now()` set to each one's due time. Schedules (rechoke, rotation, timeouts) are then
 * checked by counting events, whatever the machine is busy with.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 1;
  private readonly timers = new Map<number, ManualTimer>();

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
    this.timers.delete(handle as number);
  }

  clearInterval(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers still to fire. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing what falls due (timers added meanwhile included). */
  advance(ms: number): void {
    const until = this.nowMs + ms;
    for (;;) {
      let next: ManualTimer | null = null;
      for (const t of this.timers.values()) if (t.atMs <= until && (next === null || t.atMs < next.atMs || (t.atMs === next.atMs && t.id < next.id))) next = t;
      if (next === null) break;
      this.nowMs = Math.max(this.nowMs, next.atMs);
      if (next.everyMs === null) this.timers.delete(next.id);
      else next.atMs += next.everyMs;
      next.fn();
    }
    this.nowMs = until;
  }

  private add(fn: () => void, ms: number, everyMs: number | null): number {
    const id = this.nextId++;
    this.timers.set(id, { id, atMs: this.nowMs + Math.max(0, ms), everyMs, fn });
    return id;
  }
}
