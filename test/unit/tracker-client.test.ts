/** The tracker client's timing, on a manual clock and a scripted socket. */
import { describe, expect, it } from 'vitest';
import { MIN_ANNOUNCE_INTERVAL_MS, TrackerClient, type WebSocketLike } from '../../client/engine/tracker-client.ts';
import type { Clock } from '../../client/engine/torrent.ts';

class ManualClock implements Clock {
  t = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  };
  clearTimeout = (h: unknown) => void this.timers.delete(h as number);
  setInterval = () => 0;
  clearInterval = () => {};
  /** When the earliest pending timer fires, relative to now. */
  nextDelay(): number {
    return Math.min(...[...this.timers.values()].map((t) => t.at)) - this.t;
  }
  async advance(ms: number): Promise<void> {
    this.t += ms;
    for (const [id, timer] of [...this.timers]) {
      if (timer.at <= this.t) {
        this.timers.delete(id);
        timer.fn();
      }
    }
    await new Promise((r) => setTimeout(r, 0));
  }
}

class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  reply(msg: Record<string, unknown>) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
}

const INFO_HASH = 'ab'.repeat(20);
const binaryHash = String.fromCharCode(...Array.from({ length: 20 }, () => 0xab));

describe('tracker client', () => {
  it('a refused announce is tried again after a growing delay; an accepted one returns to the interval', async () => {
    const clock = new ManualClock();
    const socket = new ScriptedSocket();
    const client = new TrackerClient({
      url: 'ws://tracker', infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(0x61), clock,
      connector: { createOffer: () => Promise.reject(new Error('unused')), acceptOffer: () => Promise.reject(new Error('unused')) },
      openSocket: () => socket, stats: () => ({ uploaded: 0, downloaded: 0, left: 10 }), wantPeers: () => 0,
    });
    const warnings: string[] = [];
    client.on('warning', (w) => warnings.push(w.message));
    client.start();
    socket.open();
    await clock.advance(0);
    expect(socket.sent.map((m) => m.event)).toEqual(['started']);

    const refuse = () => socket.reply({ action: 'announce', info_hash: binaryHash, 'failure reason': 'This peer_id is already announced in this swarm by another connection' });
    refuse();
    expect(warnings[0]).toMatch(/refused: This peer_id is already announced/);
    expect(clock.nextDelay()).toBe(MIN_ANNOUNCE_INTERVAL_MS);
    await clock.advance(MIN_ANNOUNCE_INTERVAL_MS);
    expect(socket.sent).toHaveLength(2);
    refuse();
    expect(clock.nextDelay()).toBe(2 * MIN_ANNOUNCE_INTERVAL_MS);
    await clock.advance(2 * MIN_ANNOUNCE_INTERVAL_MS);
    expect(socket.sent).toHaveLength(3);

    socket.reply({ action: 'announce', info_hash: binaryHash, interval: 120, complete: 1, incomplete: 1 });
    expect(clock.nextDelay()).toBe(120_000);
    refuse();
    expect(clock.nextDelay()).toBe(MIN_ANNOUNCE_INTERVAL_MS);
  });
});

describe('connection budget', () => {
  it('offers are made only up to the free budget, count as connections while pending, and are closed when unanswered', async () => {
    const clock = new ManualClock();
    const socket = new ScriptedSocket();
    let live = 0;
    const connector = {
      createOffer: async () => {
        live++;
        return { offer: { type: 'offer' as const, sdp: 'v=0' }, accept: () => {}, transport: new Promise<never>(() => {}), destroy: () => void live-- };
      },
      acceptOffer: () => Promise.reject(new Error('unused')),
    };
    const BUDGET = 3;
    const OFFER_TIMEOUT = 2_000;
    let client!: TrackerClient;
    client = new TrackerClient({
      url: 'ws://tracker', infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(0x62), clock, connector, offerTimeoutMs: OFFER_TIMEOUT,
      openSocket: () => socket, stats: () => ({ uploaded: 0, downloaded: 0, left: 10 }),
      wantPeers: () => BUDGET - client.pendingConnections,
    });
    client.start();
    socket.open();
    await clock.advance(0);
    const first = socket.sent[0]!;
    expect((first.offers as unknown[]).length).toBe(BUDGET);
    expect(client.pendingConnections).toBe(BUDGET);
    expect(live).toBe(BUDGET);

    // Nothing free: the next announce carries no offers.
    void client.announce();
    await clock.advance(0);
    expect(socket.sent[1]!.offers).toEqual([]);

    // Unanswered offers close when their time is up, and the budget is free again.
    await clock.advance(OFFER_TIMEOUT);
    expect(live).toBe(0);
    expect(client.pendingConnections).toBe(0);
    void client.announce();
    await clock.advance(0);
    expect((socket.sent[2]!.offers as unknown[]).length).toBe(BUDGET);
  });
});
