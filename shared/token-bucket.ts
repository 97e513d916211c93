/**
 * A token bucket as a pure function over plain state: the tracker limits announces per socket with
 * it, and the engine limits bytes per second. `rate` tokens per second refill a bucket of `burst`.
 */
export interface TokenBucket {
  tokens: number;
  updatedMs: number;
}

export function fullBucket(burst: number, nowMs: number): TokenBucket {
  return { tokens: burst, updatedMs: nowMs };
}

/** The bucket refilled up to `nowMs`. */
export function refill(bucket: TokenBucket, nowMs: number, rate: number, burst: number): TokenBucket {
  const elapsedS = Math.max(0, nowMs - bucket.updatedMs) / 1000;
  return { tokens: Math.min(burst, bucket.tokens + elapsedS * rate), updatedMs: nowMs };
}

/** Takes `cost` tokens if there are enough; otherwise leaves the bucket as refilled and refuses. */
export function take(bucket: TokenBucket, nowMs: number, rate: number, burst: number, cost = 1): { allowed: boolean; bucket: TokenBucket } {
  const filled = refill(bucket, nowMs, rate, burst);
  if (filled.tokens < cost) return { allowed: false, bucket: filled };
  return { allowed: true, bucket: { tokens: filled.tokens - cost, updatedMs: nowMs } };
}

/** Milliseconds until `cost` tokens are available (0 if they are now). */
export function waitMs(bucket: TokenBucket, nowMs: number, rate: number, burst: number, cost = 1): number {
  const filled = refill(bucket, nowMs, rate, burst);
  return filled.tokens >= cost ? 0 : Math.ceil(((cost - filled.tokens) / rate) * 1000);
}
