import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/sim-clock.ts';
import { SimNetwork, STEP_MS } from '../sim/sim-network.ts';

const MiB = 1024 * 1024;

/** Sends `bytes` in 16 KiB messages on `t` and returns when the last one arrived (virtual ms). */
function arrival(clock: SimClock, receiver: { onData: ((d: Uint8Array) => void) | null }, bytes: number): { atMs: number | null; received: number } {
  const state = { atMs: null as number | null, received: 0 };
  receiver.onData = (d) => {
    state.received += d.length;
    if (state.received === bytes) state.atMs = clock.now();
  };
  return state;
}

function send(t: { send(d: Uint8Array): void }, bytes: number): void {
  for (let sent = 0; sent < bytes; sent += 16384) t.send(new Uint8Array(Math.min(16384, bytes - sent)));
}

describe('the simulator: virtual clock', () => {
  it('fires timers in time order, ties in the order they were set, and skips cleared ones', async () => {
    const clock = new SimClock();
    const seen: string[] = [];
    clock.setTimeout(() => seen.push('b@20'), 20);
    clock.setTimeout(() => seen.push('a@10'), 10);
    clock.setTimeout(() => seen.push('c@20'), 20);
    const gone = clock.setTimeout(() => seen.push('cleared'), 15);
    clock.clearTimeout(gone);
    const every = clock.setInterval(() => {
      seen.push(`tick@${clock.now()}`);
      if (clock.now() >= 30) clock.clearInterval(every);
    }, 15);
    await clock.run(() => false, 1_000);
    expect(seen).toEqual(['a@10', 'tick@15', 'b@20', 'c@20', 'tick@30']);
  });
});

describe('the simulator: link model', () => {
  it('one transfer takes F / min(u, d) plus the latency', async () => {
    for (const [up, down] of [[1 * MiB, 4 * MiB], [4 * MiB, 1 * MiB]] as const) {
      const clock = new SimClock();
      const net = new SimNetwork(clock);
      const a = net.addNode({ upBps: up, downBps: 4 * MiB, latencyMs: 20 });
      const b = net.addNode({ upBps: 1 * MiB, downBps: down, latencyMs: 30 });
      const [ta, tb] = net.connect(a, b);
      const got = arrival(clock, tb, 2 * MiB);
      send(ta, 2 * MiB);
      await clock.run(() => got.atMs !== null, 60_000);
      const ideal = ((2 * MiB) / Math.min(up, down)) * 1000 + 50;
      expect(got.atMs).toBeGreaterThanOrEqual(ideal);
      expect(got.atMs).toBeLessThanOrEqual(ideal + STEP_MS);
      expect(net.sentBytes[a]).toBe(2 * MiB);
    }
  });

  it("two uploads from one peer share its capacity fairly: both take twice as long as one alone", async () => {
    const clock = new SimClock();
    const net = new SimNetwork(clock);
    const s = net.addNode({ upBps: 1 * MiB, downBps: 10 * MiB, latencyMs: 0 });
    const r1 = net.addNode({ upBps: 1 * MiB, downBps: 10 * MiB, latencyMs: 0 });
    const r2 = net.addNode({ upBps: 1 * MiB, downBps: 10 * MiB, latencyMs: 0 });
    const [s1, t1] = net.connect(s, r1);
    const [s2, t2] = net.connect(s, r2);
    const g1 = arrival(clock, t1, 1 * MiB);
    const g2 = arrival(clock, t2, 1 * MiB);
    send(s1, 1 * MiB);
    send(s2, 1 * MiB);
    await clock.run(() => g1.atMs !== null && g2.atMs !== null, 60_000);
    for (const g of [g1, g2]) {
      expect(g.atMs).toBeGreaterThanOrEqual(2_000);
      expect(g.atMs).toBeLessThanOrEqual(2_000 + STEP_MS);
    }
  });

  it('two downloads into one peer share its download capacity', async () => {
    const clock = new SimClock();
    const net = new SimNetwork(clock);
    const r = net.addNode({ upBps: 1 * MiB, downBps: 1 * MiB, latencyMs: 0 });
    const [a, b] = [net.addNode({ upBps: 4 * MiB, downBps: 4 * MiB, latencyMs: 0 }), net.addNode({ upBps: 4 * MiB, downBps: 4 * MiB, latencyMs: 0 })];
    const [ta, ra] = net.connect(a, r);
    const [tb, rb] = net.connect(b, r);
    const ga = arrival(clock, ra, 1 * MiB);
    const gb = arrival(clock, rb, 1 * MiB);
    send(ta, 1 * MiB);
    send(tb, 1 * MiB);
    await clock.run(() => ga.atMs !== null && gb.atMs !== null, 60_000);
    expect(Math.max(ga.atMs!, gb.atMs!)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(ga.atMs!, gb.atMs!)).toBeLessThanOrEqual(2_000 + STEP_MS);
  });

  it('a close reaches the far end after the latency, and nothing is delivered after it', async () => {
    const clock = new SimClock();
    const net = new SimNetwork(clock);
    const a = net.addNode({ upBps: 1 * MiB, downBps: 1 * MiB, latencyMs: 25 });
    const b = net.addNode({ upBps: 1 * MiB, downBps: 1 * MiB, latencyMs: 25 });
    const [ta, tb] = net.connect(a, b);
    let closedAt: number | null = null;
    let data = 0;
    tb.onClose = () => (closedAt = clock.now());
    tb.onData = () => data++;
    send(ta, 1 * MiB);
    clock.setTimeout(() => ta.close(), 100);
    await clock.run(() => false, 5_000);
    expect(closedAt).toBe(150);
    expect(data).toBeLessThan(64);
  });
});
