/**
 * Whether a classroom run measured the swarm or this computer's CPU. D_p2p assumes the upload
 * limits are what holds the peers back; when the page (every peer of a classroom run shares its
 * main thread) cannot keep up, timers fire late and the seeder sends below its limit, so the run
 * takes longer for a reason the chapter's formula does not model. A timer that should tick every
 * LAG_SAMPLE_MS measures how late the page's event loop runs; the seeder's utilisation says how
 * much the shortfall cost.
 */

/** How often the meter's timer asks to run (ms). */
export const LAG_SAMPLE_MS = 100;
/**
 * Mean lateness above which a run counts as CPU-bound (ms). An idle page's timers run 1–5 ms late;
 * a quarter of the sampling period late on average means the page was busy most of the time.
 */
export const CPU_BOUND_LATE_MS = 25;

export interface LagSummary {
  /** Mean lateness of the meter's timer (ms). */
  meanLateMs: number;
  /** The 90th percentile of the lateness (ms). */
  p90LateMs: number;
  samples: number;
}

export function summarizeLag(lateMs: readonly number[]): LagSummary {
  if (lateMs.length === 0) return { meanLateMs: 0, p90LateMs: 0, samples: 0 };
  const sorted = [...lateMs].sort((a, b) => a - b);
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { meanLateMs: mean, p90LateMs: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!, samples: sorted.length };
}

export interface CpuVerdict {
  cpuBound: boolean;
  /** A sentence for the class: what happened and by how much. */
  message: string;
}

/** `seederUtilisation`: bytes the seeder sent ÷ (u_s × the run's seconds). */
export function cpuVerdict(lag: LagSummary, seederUtilisation: number): CpuVerdict {
  const pct = Math.round(seederUtilisation * 100);
  if (lag.meanLateMs < CPU_BOUND_LATE_MS) {
    return { cpuBound: false, message: `The page kept up (timers ${lag.meanLateMs.toFixed(0)} ms late on average); the seeder sent at ${pct} % of u_s.` };
  }
  return {
    cpuBound: true,
    message: `CPU-bound: this page's timers ran ${lag.meanLateMs.toFixed(0)} ms late on average (${lag.p90LateMs.toFixed(0)} ms at the 90th percentile) and the seeder sent at only ${pct} % of u_s, so this time measures this computer's CPU more than the upload limits the bound assumes. Try fewer peers, a lower u, or a faster computer.`,
  };
}

export interface LagClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const pageClock: LagClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Starts sampling; `stop()` ends it and returns the summary. */
export function startLagMeter(clock: LagClock = pageClock): { stop(): LagSummary } {
  const late: number[] = [];
  let due = clock.now() + LAG_SAMPLE_MS;
  let handle: unknown = null;
  const tick = () => {
    const now = clock.now();
    late.push(Math.max(0, now - due));
    due = now + LAG_SAMPLE_MS;
    handle = clock.setTimeout(tick, LAG_SAMPLE_MS);
  };
  handle = clock.setTimeout(tick, LAG_SAMPLE_MS);
  return {
    stop() {
      clock.clearTimeout(handle);
      return summarizeLag(late);
    },
  };
}
