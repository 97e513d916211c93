/** The classroom's CPU-bound verdict: how late the page's timers ran, on a scripted clock. */
import { describe, expect, it } from 'vitest';
import { CPU_BOUND_LATE_MS, LAG_SAMPLE_MS, cpuVerdict, startLagMeter, summarizeLag, type LagClock } from '../../client/demo/loop-lag.ts';

/** A clock whose timers fire `lateBy(n)` ms after they were due, for the n-th timer. */
function lateClock(lateBy: (n: number) => number) {
  let t = 0;
  let n = 0;
  let pending: { at: number; fn: () => void } | null = null;
  const clock: LagClock = {
    now: () => t,
    setTimeout: (fn, ms) => (pending = { at: t + ms + lateBy(n++), fn }),
    clearTimeout: () => void (pending = null),
  };
  const run = (ticks: number) => {
    for (let i = 0; i < ticks && pending; i++) {
      const p = pending;
      pending = null;
      t = p.at;
      p.fn();
    }
  };
  return { clock, run };
}

describe('loop lag', () => {
  it('an idle page: timers on time, no verdict', () => {
    const { clock, run } = lateClock(() => 2);
    const meter = startLagMeter(clock);
    run(50);
    const lag = meter.stop();
    expect(lag.samples).toBe(50);
    expect(lag.meanLateMs).toBeCloseTo(2);
    expect(cpuVerdict(lag, 0.98).cpuBound).toBe(false);
  });

  it('a saturated page: timers late by several sampling periods, CPU-bound with the shortfall named', () => {
    const { clock, run } = lateClock((n) => (n % 2 ? 3 * LAG_SAMPLE_MS : LAG_SAMPLE_MS));
    const meter = startLagMeter(clock);
    run(40);
    const lag = meter.stop();
    expect(lag.meanLateMs).toBeCloseTo(2 * LAG_SAMPLE_MS);
    expect(lag.p90LateMs).toBe(3 * LAG_SAMPLE_MS);
    const verdict = cpuVerdict(lag, 0.31);
    expect(verdict.cpuBound).toBe(true);
    expect(verdict.message).toContain('31 % of u_s');
    expect(verdict.message).toContain(`${2 * LAG_SAMPLE_MS} ms late`);
  });

  it('the threshold sits at CPU_BOUND_LATE_MS of mean lateness', () => {
    expect(cpuVerdict(summarizeLag([CPU_BOUND_LATE_MS - 1]), 1).cpuBound).toBe(false);
    expect(cpuVerdict(summarizeLag([CPU_BOUND_LATE_MS]), 1).cpuBound).toBe(true);
    expect(summarizeLag([])).toEqual({ meanLateMs: 0, p90LateMs: 0, samples: 0 });
  });
});
