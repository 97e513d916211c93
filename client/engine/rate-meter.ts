/** Bytes per second over a sliding window of one-second buckets (what choking and pipelining rank by). */
export const RATE_WINDOW_S = 5;

export class RateMeter {
  private buckets = new Float64Array(RATE_WINDOW_S);
  private lastSecond = -1;
  private sum = 0;
  /** When the first byte was counted (ms): a meter younger than its window averages over its age. */
  private firstMs = -1;

  /** Every byte counted so far. */
  get total(): number {
    return this.sum;
  }

  add(bytes: number, nowMs: number): void {
    if (this.firstMs < 0) this.firstMs = nowMs;
    this.advance(nowMs);
    this.buckets[Math.floor(nowMs / 1000) % RATE_WINDOW_S]! += bytes;
    this.sum += bytes;
  }

  rate(nowMs: number): number {
    this.advance(nowMs);
    let sum = 0;
    for (const b of this.buckets) sum += b;
    const ageS = this.firstMs < 0 ? RATE_WINDOW_S : Math.min(RATE_WINDOW_S, Math.max(1, (nowMs - this.firstMs) / 1000));
    return sum / ageS;
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.lastSecond < 0) this.lastSecond = second;
    for (let s = Math.max(this.lastSecond + 1, second - RATE_WINDOW_S + 1); s <= second; s++) this.buckets[s % RATE_WINDOW_S] = 0;
    this.lastSecond = Math.max(this.lastSecond, second);
  }
}
