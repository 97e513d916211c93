import { describe, expect, it } from 'vitest';
import { RATE_WINDOW_S, RateMeter } from '../../client/engine/rate-meter.ts';

describe('RateMeter', () => {
  it('a meter younger than its window averages over its age, so a new fast source is not taken for a slow one', () => {
    const m = new RateMeter();
    // 1 MB/s for two seconds, in 100 ms steps.
    for (let t = 0; t < 2_000; t += 100) m.add(100_000, 10_000 + t);
    expect(m.rate(12_000)).toBeCloseTo(1_000_000, -4);
    // Averaged over the whole window it would read 0.4 MB/s; the pipeline sized from that would hold it there.
    expect(m.rate(12_000)).toBeGreaterThan((2 * 1_000_000) / RATE_WINDOW_S);
  });

  it('within its first second it divides by one second, not by less (no spike from one early block)', () => {
    const m = new RateMeter();
    m.add(16_384, 5_000);
    expect(m.rate(5_010)).toBe(16_384);
  });

  it('once older than its window it is the window average, and it falls to zero when nothing arrives', () => {
    const m = new RateMeter();
    for (let t = 0; t < 10_000; t += 100) m.add(50_000, t);
    expect(m.rate(9_999)).toBeCloseTo(500_000, -4);
    expect(m.rate(10_000 + RATE_WINDOW_S * 1000 + 1_000)).toBe(0);
  });
});
