import { describe, expect, it } from 'vitest';
import { SimClock } from '../sim/sim-clock.ts';
import { SimNetwork, STEP_MS, type LinkSpec } from '../sim/sim-network.ts';

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

/** Two peers with the same link, connected: the clock and each end's transport. */
function pairOf(spec: LinkSpec) {
  const clock = new SimClock();
  const net = new SimNetwork(clock);
  const [ta, tb] = net.connect(net.addNode(spec), net.addNode(spec));
  return { clock, ta, tb };
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

  it('one large write arrives as 64 KiB messages, each as soon as it is sent, as a data channel delivers it', async () => {
    const { clock, ta, tb } = pairOf({ upBps: 1 * MiB, downBps: 4 * MiB, latencyMs: 0 });
    const arrivals: Array<{ atMs: number; bytes: number }> = [];
    tb.onData = (d) => arrivals.push({ atMs: clock.now(), bytes: d.length });
    ta.send(new Uint8Array(1 * MiB)); // one write, as the uploader batches blocks
    await clock.run(() => arrivals.reduce((n, x) => n + x.bytes, 0) === 1 * MiB, 60_000);
    expect(arrivals.map((x) => x.bytes)).toEqual(Array(16).fill(64 * 1024));
    // The first 64 KiB after 1/16 of a second, not after the whole mebibyte's second.
    expect(arrivals[0]!.atMs).toBeLessThanOrEqual(1000 / 16 + STEP_MS);
  });

  it('small and large writes arrive byte-exact, in order, one message each, whatever the sender does with its arrays after', async () => {
    const { clock, ta, tb } = pairOf({ upBps: 1 * MiB, downBps: 4 * MiB, latencyMs: 5 });
    const got: Uint8Array[] = [];
    tb.onData = (d) => got.push(d.slice());
    // Small writes (a HAVE is 9 bytes) are copied into a shared slab, the rest cut into 64 KiB messages:
    // enough small ones to fill more than one slab, between writes of every other kind.
    const sizes = [9, 17, 64, 65, 70_000, ...Array.from({ length: 3_000 }, (_, i) => 1 + (i % 64)), 16_384, 5];
    const sent = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + k) & 0xff));
    const scratch = new Uint8Array(9);
    for (const bytes of sent) {
      scratch.set(bytes.subarray(0, 9));
      ta.send(bytes.length <= 9 ? scratch.subarray(0, bytes.length) : bytes);
      scratch.fill(0xee); // reused by the sender at once, as an encoder's scratch buffer would be
    }
    const total = sizes.reduce((a, b) => a + b, 0);
    await clock.run(() => got.reduce((n, d) => n + d.length, 0) === total, 60_000);
    const expected = sent.flatMap((b) => (b.length > 64 * 1024 ? [b.subarray(0, 64 * 1024), b.subarray(64 * 1024)] : [b]));
    expect(got.map((d) => d.length)).toEqual(expected.map((d) => d.length));
    expect(got.every((d, i) => Buffer.from(d).equals(expected[i]!))).toBe(true);
  });

  /** Two 1 MiB transfers at once between the given pairs of nodes; resolves with both arrival times (virtual ms). */
  async function twoTransfers(make: (net: SimNetwork) => Array<[number, number]>): Promise<number[]> {
    const clock = new SimClock();
    const net = new SimNetwork(clock);
    const arrivals = make(net).map(([from, to]) => {
      const [sender, receiver] = net.connect(from, to);
      const got = arrival(clock, receiver, 1 * MiB);
      send(sender, 1 * MiB);
      return got;
    });
    await clock.run(() => arrivals.every((g) => g.atMs !== null), 60_000);
    return arrivals.map((g) => g.atMs!);
  }

  it('two uploads from one peer share its capacity fairly: both take twice as long as one alone', async () => {
    const times = await twoTransfers((net) => {
      const [s, r1, r2] = [0, 1, 2].map(() => net.addNode({ upBps: 1 * MiB, downBps: 10 * MiB, latencyMs: 0 }));
      return [[s!, r1!], [s!, r2!]];
    });
    for (const t of times) {
      expect(t).toBeGreaterThanOrEqual(2_000);
      expect(t).toBeLessThanOrEqual(2_000 + STEP_MS);
    }
  });

  it('two downloads into one peer share its download capacity', async () => {
    const times = await twoTransfers((net) => {
      const r = net.addNode({ upBps: 1 * MiB, downBps: 1 * MiB, latencyMs: 0 });
      const [a, b] = [0, 1].map(() => net.addNode({ upBps: 4 * MiB, downBps: 4 * MiB, latencyMs: 0 }));
      return [[a!, r], [b!, r]];
    });
    expect(Math.max(...times)).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...times)).toBeLessThanOrEqual(2_000 + STEP_MS);
  });

  it('capacity a slow downloader cannot take goes to the sender\'s other connections (max-min fair)', async () => {
    const times = await twoTransfers((net) => {
      const s = net.addNode({ upBps: 4 * MiB, downBps: 4 * MiB, latencyMs: 0 });
      const slow = net.addNode({ upBps: 1 * MiB, downBps: MiB / 2, latencyMs: 0 });
      const fast = net.addNode({ upBps: 1 * MiB, downBps: 10 * MiB, latencyMs: 0 });
      return [[s, slow], [s, fast]];
    });
    // The slow one takes 0.5 MiB/s, so the fast one gets the other 3.5 (not half of 4).
    expect(times[0]).toBeGreaterThanOrEqual(2_000);
    expect(times[0]).toBeLessThanOrEqual(2_000 + STEP_MS);
    const fastIdeal = (1 / 3.5) * 1000;
    expect(times[1]).toBeGreaterThanOrEqual(fastIdeal);
    expect(times[1]).toBeLessThanOrEqual(fastIdeal + STEP_MS);
  });

  it('a connection with little queued takes only that; the rest of the step goes to the others', async () => {
    const clock = new SimClock();
    const net = new SimNetwork(clock);
    const s = net.addNode({ upBps: 1 * MiB, downBps: 4 * MiB, latencyMs: 0 });
    const [a, b] = [0, 1].map(() => net.addNode({ upBps: 1 * MiB, downBps: 4 * MiB, latencyMs: 0 }));
    const [toA, atA] = net.connect(s, a!);
    const [toB, atB] = net.connect(s, b!);
    const small = arrival(clock, atA, 100);
    const big = arrival(clock, atB, 1 * MiB);
    // Every step: 100 bytes to a, the rest of the step's 10 KiB to b.
    const ticker = clock.setInterval(() => toA.send(new Uint8Array(100)), STEP_MS);
    send(toB, 1 * MiB);
    toA.send(new Uint8Array(100));
    await clock.run(() => big.atMs !== null, 60_000);
    clock.clearInterval(ticker);
    expect(small.received).toBeGreaterThan(0);
    // Alone b would take 1,000 ms; 100 B of each 10,486 B step is a's: about 1 % longer, not twice.
    expect(big.atMs).toBeLessThanOrEqual(1_000 * (1 + 100 / ((1 * MiB * STEP_MS) / 1000)) + 2 * STEP_MS);
  });

  it('a close reaches the far end after the latency, and nothing is delivered after it', async () => {
    const { clock, ta, tb } = pairOf({ upBps: 1 * MiB, downBps: 1 * MiB, latencyMs: 25 });
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
