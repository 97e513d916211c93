/** The tracker client's timing, on a manual clock and a scripted socket. */
import { describe, expect, it } from 'vitest';
import { MAX_OFFERS_PER_ANNOUNCE, MIN_ANNOUNCE_INTERVAL_MS, TrackerClient, offersToMake, type WebSocketLike } from '../../client/engine/tracker-client.ts';
import type { Clock } from '../../client/engine/clock.ts';

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
  setInterval = (fn: () => void, ms: number) => {
    const id = this.next++;
    const again = () => {
      this.timers.set(id, { at: this.t + ms, fn: again });
      fn();
    };
    this.timers.set(id, { at: this.t + ms, fn: again });
    return id;
  };
  clearInterval = (h: unknown) => void this.timers.delete(h as number);
  /** When the earliest pending timer fires, relative to now. */
  nextDelay(): number {
    return Math.min(...[...this.timers.values()].map((t) => t.at)) - this.t;
  }
  /** Moves time on, firing each timer due (in time order) as it comes. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due[1].at);
      this.timers.delete(due[0]);
      due[1].fn();
      await new Promise((r) => setTimeout(r, 0));
    }
    this.t = end;
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

/** A connector whose offers never get an answer; it counts offers made and still open. */
function offeringConnector() {
  const counts = { made: 0, live: 0 };
  const connector = {
    createOffer: async () => {
      counts.made++;
      counts.live++;
      return { offer: { type: 'offer' as const, sdp: 'v=0' }, accept: () => {}, transport: new Promise<never>(() => {}), destroy: () => void counts.live-- };
    },
    acceptOffer: () => Promise.reject(new Error('unused')),
  };
  return { connector, counts };
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
    const { connector, counts } = offeringConnector();
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
    expect(counts.live).toBe(BUDGET);

    // Nothing free: the next announce carries no offers.
    void client.announce();
    await clock.advance(0);
    expect(socket.sent[1]!.offers).toEqual([]);

    // Unanswered offers close when their time is up, and the budget is free again.
    await clock.advance(OFFER_TIMEOUT);
    expect(counts.live).toBe(0);
    expect(client.pendingConnections).toBe(0);
    void client.announce();
    await clock.advance(0);
    expect((socket.sent[2]!.offers as unknown[]).length).toBe(BUDGET);
  });
});

describe('connection churn', () => {
  it('makes no offers once it holds every peer the tracker counts, and the full number while any is missing', () => {
    expect(offersToMake(null, 0, 30)).toBe(MAX_OFFERS_PER_ANNOUNCE);
    expect(offersToMake(null, 0, 2)).toBe(2);
    // 1 seeder + 8 leechers (us among them): 8 others.
    expect(offersToMake({ complete: 1, incomplete: 8 }, 8, 30)).toBe(0);
    expect(offersToMake({ complete: 1, incomplete: 8 }, 7, 30)).toBe(MAX_OFFERS_PER_ANNOUNCE);
    expect(offersToMake({ complete: 1, incomplete: 8 }, 7, 1)).toBe(1);
    expect(offersToMake({ complete: 1, incomplete: 8 }, 9, 30)).toBe(0);
    expect(offersToMake({ complete: 100, incomplete: 100 }, 3, 30)).toBe(MAX_OFFERS_PER_ANNOUNCE);
    expect(offersToMake({ complete: 100, incomplete: 100 }, 3, 0)).toBe(0);
  });

  it('an announce after a reply carries no offers when we hold every peer the swarm has', async () => {
    const clock = new ManualClock();
    const socket = new ScriptedSocket();
    const { connector, counts } = offeringConnector();
    let held = 0;
    const client = new TrackerClient({
      url: 'ws://tracker', infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(0x64), clock, connector,
      openSocket: () => socket, stats: () => ({ uploaded: 0, downloaded: 0, left: 10 }), wantPeers: () => 30, peersConnected: () => held,
    });
    client.start();
    socket.open();
    await clock.advance(0);
    expect(counts.made).toBe(MAX_OFFERS_PER_ANNOUNCE); // the swarm's size is not known yet
    socket.reply({ action: 'announce', info_hash: binaryHash, interval: 120, complete: 1, incomplete: 3 });
    held = 3;
    void client.announce();
    await clock.advance(0);
    expect(socket.sent[1]!.offers).toEqual([]);
    expect(counts.made).toBe(MAX_OFFERS_PER_ANNOUNCE);
    held = 2;
    void client.announce();
    await clock.advance(0);
    expect((socket.sent[2]!.offers as unknown[]).length).toBe(MAX_OFFERS_PER_ANNOUNCE);
  });

  it('does not answer an offer from a peer it is connected to, nor a second offer from a peer it is answering', async () => {
    const clock = new ManualClock();
    const socket = new ScriptedSocket();
    const answered: string[] = [];
    const connector = {
      createOffer: () => Promise.reject(new Error('unused')),
      acceptOffer: async (offer: { sdp: string }) => {
        answered.push(offer.sdp);
        return { answer: { type: 'answer' as const, sdp: `answer to ${offer.sdp}` }, transport: new Promise<never>(() => {}), destroy: () => {} };
      },
    };
    const connectedPeer = 'C'.repeat(20);
    const client = new TrackerClient({
      url: 'ws://tracker', infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(0x65), clock, connector,
      openSocket: () => socket, stats: () => ({ uploaded: 0, downloaded: 0, left: 10 }), wantPeers: () => 30, connectedTo: (id) => id === connectedPeer,
    });
    client.start();
    socket.open();
    await clock.advance(0);
    const offer = (from: string, sdp: string) => socket.reply({ action: 'announce', info_hash: binaryHash, peer_id: from, offer_id: 'o'.repeat(20), offer: { type: 'offer', sdp } });
    offer(connectedPeer, 'from a peer we hold');
    offer('N'.repeat(20), 'from a new peer');
    offer('N'.repeat(20), 'again from the new peer');
    await clock.advance(0);
    expect(answered).toEqual(['from a new peer']);
    expect(socket.sent.filter((m) => m.answer !== undefined).length).toBe(1);
  });
});

describe('peers that cannot be reached', () => {
  it('says PEER_UNREACHABLE once, not per peer, and again only after a connection has opened since', async () => {
    const { unreachableError } = await import('../../client/engine/webrtc.ts');
    const { memoryPair } = await import('../../client/engine/transport.ts');
    const clock = new ManualClock();
    const socket = new ScriptedSocket();
    const outcomes: Array<'fail' | 'open'> = ['fail', 'fail', 'open', 'fail'];
    const connector = {
      createOffer: () => Promise.reject(new Error('unused')),
      acceptOffer: async () => {
        const outcome = outcomes.shift();
        const transport = outcome === 'open' ? Promise.resolve(memoryPair()[0]) : Promise.reject(unreachableError([]));
        transport.catch(() => {});
        return { answer: { type: 'answer' as const, sdp: 'v=0' }, transport, destroy: () => {} };
      },
    };
    const client = new TrackerClient({
      url: 'ws://tracker', infoHash: INFO_HASH, peerId: new Uint8Array(20).fill(0x65), clock, connector,
      openSocket: () => socket, stats: () => ({ uploaded: 0, downloaded: 0, left: 10 }), wantPeers: () => 30,
    });
    const warnings: string[] = [];
    client.on('warning', (w) => warnings.push(w.code));
    client.start();
    socket.open();
    await clock.advance(0);
    for (const from of ['A', 'B', 'C', 'D']) {
      socket.reply({ action: 'announce', info_hash: binaryHash, peer_id: from.repeat(20), offer_id: from.repeat(20), offer: { type: 'offer', sdp: 'v=0' } });
      await clock.advance(0);
    }
    // A and B fail: one warning; C opens; D fails: a second one.
    expect(warnings).toEqual(['PEER_UNREACHABLE', 'PEER_UNREACHABLE']);
  });

  it('explains a failure by whether the server offered a relay', async () => {
    const { unreachableError } = await import('../../client/engine/webrtc.ts');
    expect(unreachableError([{ urls: 'stun:stun.example.org' }]).message).toMatch(/offers no TURN relay.*TURN_URLS and TURN_SECRET/);
    expect(unreachableError([{ urls: ['turn:turn.example.org:3478'], username: 'u', credential: 'p' }]).message).toMatch(/not even through this server's TURN relay/);
  });
});

/** A magnet download's session (no WebRTC: offers fail) whose first announce got this reply, interval 120 s. */
async function sessionAfterReply(counts: { complete: number; incomplete: number }) {
  const { SwarmSession } = await import('../../client/engine/session.ts');
  const { MemoryStore } = await import('../../client/engine/storage.ts');
  const { portableSha1 } = await import('../../shared/sha1.ts');
  const clock = new ManualClock();
  const socket = new ScriptedSocket();
  const session = new SwarmSession({ infoHash: INFO_HASH }, { peerId: new Uint8Array(20).fill(0x63), sha1: portableSha1, clock, openStore: async () => new MemoryStore() }, {
    trackers: ['ws://tracker'],
    connector: { createOffer: () => Promise.reject(new Error('no WebRTC here')), acceptOffer: () => Promise.reject(new Error('unused')) },
    openSocket: () => socket,
  });
  await session.start();
  socket.open();
  await clock.advance(0);
  socket.reply({ action: 'announce', info_hash: binaryHash, interval: 120, ...counts });
  return { clock, socket, session };
}

describe('a stalled download', () => {
  it('asks the tracker for more peers after 5, 10, 20… s without progress, not only at the interval', async () => {
    const { STALL_ANNOUNCE_MS } = await import('../../client/engine/session.ts');
    const { clock, socket, session } = await sessionAfterReply({ complete: 0, incomplete: 1 });
    const announcesBy = async (periods: number) => {
      await clock.advance(periods * STALL_ANNOUNCE_MS - clock.t);
      return socket.sent.length;
    };
    expect(socket.sent).toHaveLength(1);
    // Stalled for 1, 2, 4, 8 periods (at 10, 15, 25, 45 s): an announce each time, none between.
    expect(await announcesBy(1)).toBe(1);
    expect(await announcesBy(2)).toBe(2);
    expect(await announcesBy(3)).toBe(3);
    expect(await announcesBy(4)).toBe(3);
    expect(await announcesBy(5)).toBe(4);
    expect(await announcesBy(8)).toBe(4);
    expect(await announcesBy(9)).toBe(5);
    await session.stop();
  });
});

describe('a download connected to fewer peers than the swarm holds', () => {
  it('asks again after 5, 10, 20… s (never past the interval), and not once it is done, full or connected to all', async () => {
    const { seekPeersAfterMs } = await import('../../client/engine/session.ts');
    const reply = { complete: 1, incomplete: 8, interval: 120 }; // us and 8 others
    const us = { done: false, connections: 3, free: 27 };
    expect([1, 2, 3, 4, 5, 6].map((round) => seekPeersAfterMs(reply, us, round))).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 120_000]);
    expect(seekPeersAfterMs(reply, { ...us, connections: 8 }, 1)).toBeNull();
    expect(seekPeersAfterMs(reply, { ...us, done: true }, 1)).toBeNull();
    expect(seekPeersAfterMs(reply, { ...us, free: 0 }, 1)).toBeNull();
    expect(seekPeersAfterMs({ complete: 0, incomplete: 1, interval: 120 }, { ...us, connections: 0 }, 1)).toBeNull();
  });

  it('announces again 5 s after a reply that shows peers it has not met, before the stall rule would', async () => {
    const { clock, socket, session } = await sessionAfterReply({ complete: 1, incomplete: 4 });
    expect(socket.sent).toHaveLength(1);
    await clock.advance(4_999);
    expect(socket.sent).toHaveLength(1);
    await clock.advance(1);
    expect(socket.sent).toHaveLength(2);
    await session.stop();
  });
});

describe("a link's expiry", () => {
  async function sessionExpiringIn(ms: number, startAt = 0) {
    const { SwarmSession } = await import('../../client/engine/session.ts');
    const { MemoryStore } = await import('../../client/engine/storage.ts');
    const { portableSha1 } = await import('../../shared/sha1.ts');
    const clock = new ManualClock();
    clock.t = startAt;
    const socket = new ScriptedSocket();
    const session = new SwarmSession({ infoHash: INFO_HASH }, { peerId: new Uint8Array(20).fill(0x64), sha1: portableSha1, clock, openStore: async () => new MemoryStore() }, {
      trackers: ['ws://tracker'],
      connector: { createOffer: () => Promise.reject(new Error('no WebRTC here')), acceptOffer: () => Promise.reject(new Error('unused')) },
      openSocket: () => socket,
      expiresAt: startAt + ms,
    });
    return { clock, socket, session };
  }

  it('a running share leaves the swarm when its link expires, and says why', async () => {
    const { clock, socket, session } = await sessionExpiringIn(60_000);
    const errors: Array<{ code: string; message: string }> = [];
    session.on('error', (e) => errors.push(e));
    await session.start();
    socket.open();
    await clock.advance(59_999);
    expect(errors).toEqual([]);
    const announced = socket.sent.length;
    await clock.advance(1);
    await expect.poll(() => errors.length).toBe(1);
    expect(errors[0]).toMatchObject({ code: 'LINK_EXPIRED', message: expect.stringMatching(/^This link expired at 1970-01-01T00:01:00\.000Z: its sharer set it to stop being shared then/) });
    // It left the swarm: its last word to the tracker is "stopped".
    expect(socket.sent.length).toBeGreaterThan(announced);
    expect(socket.sent.at(-1)).toMatchObject({ event: 'stopped' });
  });

  it('an expired link does not start: nothing is announced', async () => {
    const expired = await sessionExpiringIn(0, 5_000);
    await expect(expired.session.start()).rejects.toMatchObject({ code: 'LINK_EXPIRED' });
    expired.socket.open();
    await expired.clock.advance(10_000);
    expect(expired.socket.sent).toEqual([]);
  });
});
