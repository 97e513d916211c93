/** Bytes per second over a sliding window of one-second buckets (what choking and pipelining rank by). */
export const RATE_WINDOW_S = 5;

export class RateMeter {
  private buckets = new Float64Array(RATE_WINDOW_S);
  private lastSecond = -1;
  private sum = 0;

  /** Every byte counted so far. */
  get total(): number {
    return this.sum;
  }

  add(bytes: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[Math.floor(nowMs / 1000) % RATE_WINDOW_S]! += bytes;
    this.sum += bytes;
  }

  rate(nowMs: number): number {
    this.advance(nowMs);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return sum / RATE_WINDOW_S;
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.lastSecond < 0) this.lastSecond = second;
    for (let s = Math.max(this.lastSecond + 1, second - RATE_WINDOW_S + 1); s <= second; s++) this.buckets[s % RATE_WINDOW_S] = 0;
    this.lastSecond = Math.max(this.lastSecond, second);
  }
}
