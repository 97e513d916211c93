/**
 * The uploader without a limit: the links together hold about one piece, so pieces leave one after
 * another instead of side by side, and a link held back by a slow receiver does not hold the cap.
 * Links here are fakes whose send buffers the test empties at chosen rates on a ManualClock.
 */
import { describe, expect, it } from 'vitest';
import { BLOCK_LENGTH_BYTES, PIECE_LENGTH_BYTES } from '../../shared/constants.ts';
import { ManualClock } from '../../client/engine/clock.ts';
import { Uploader, type UploadLink } from '../../client/engine/uploader.ts';
import { DRAIN_LOW_WATER_BYTES } from '../../client/engine/webrtc.ts';

const BLOCKS_PER_PIECE = PIECE_LENGTH_BYTES / BLOCK_LENGTH_BYTES;

interface FakeLink extends UploadLink {
  bufferedAmount: number;
  /** Bytes ever written to this link. */
  written: number;
}

function setup(uploadQueueMs: number, keys: string[]) {
  const clock = new ManualClock(0);
  const links = new Map<string, FakeLink>();
  for (const key of keys) {
    const link: FakeLink = {
      closed: false,
      choking: false,
      bufferedAmount: 0,
      written: 0,
      sendPieces(blocks) {
        for (const b of blocks) {
          this.bufferedAmount += b.block.length;
          this.written += b.block.length;
        }
      },
    };
    links.set(key, link);
  }
  const uploader = new Uploader(
    clock,
    {
      link: (key) => links.get(key) ?? null,
      read: async (_index, _begin, length) => new Uint8Array(length),
      copies: () => 1,
      blocksIn: () => BLOCKS_PER_PIECE,
      sent: () => {},
      warn: (e) => {
        throw e;
      },
    },
    { uploadLimit: 0, sendHighWaterBytes: 4 * 1024 * 1024, maxPeerRequests: 500, uploadQueueMs },
  );
  for (const key of keys) uploader.addPeer(key);
  const ask = (key: string, piece: number, pieces = 1) => {
    for (let p = piece; p < piece + pieces; p++) for (let b = 0; b < BLOCKS_PER_PIECE; b++) uploader.enqueue(key, { index: p, begin: b * BLOCK_LENGTH_BYTES, length: BLOCK_LENGTH_BYTES });
  };
  /** The link carries `bytes` away; like a data channel it reports drain when it falls to its low-water mark. */
  const carry = (link: FakeLink, bytes: number) => {
    const was = link.bufferedAmount;
    link.bufferedAmount = Math.max(0, was - bytes);
    if (was > DRAIN_LOW_WATER_BYTES && link.bufferedAmount <= DRAIN_LOW_WATER_BYTES) uploader.serve();
  };
  return { clock, links, uploader, ask, carry };
}

/** Lets the uploader's reads (promises) settle. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('uploader without a limit', () => {
  it('sends one piece whole before starting the next peer’s, and the next once the first has drained', async () => {
    const { clock, links, ask } = setup(250, ['a', 'b']);
    ask('a', 0);
    ask('b', 1);
    await settle();
    expect(links.get('a')!.written).toBe(PIECE_LENGTH_BYTES);
    expect(links.get('b')!.written).toBe(0);
    // The link carries a's piece away; the uploader looks again on its own timer (no drain event).
    links.get('a')!.bufferedAmount = 0;
    clock.advance(100);
    await settle();
    expect(links.get('b')!.written).toBe(PIECE_LENGTH_BYTES);
  });

  it('with uploadQueueMs 0 fills every link at once, as before', async () => {
    const { links, ask } = setup(0, ['a', 'b']);
    ask('a', 0);
    ask('b', 1);
    await settle();
    expect(links.get('a')!.written).toBe(PIECE_LENGTH_BYTES);
    expect(links.get('b')!.written).toBe(PIECE_LENGTH_BYTES);
  });

  it('keeps a fast link busy while a slow receiver holds a piece', async () => {
    const { clock, links, ask, carry } = setup(250, ['slow', 'fast']);
    // Each asks for far more than 4 s can carry; the slow one asked first, so it is served first.
    ask('slow', 0, 8);
    ask('fast', 100, 32);
    const STEP_MS = 10;
    const SLOW_BPS = 64 * 1024;
    const FAST_BPS = 1024 * 1024;
    await settle();
    const seconds = 4;
    for (let t = 0; t < (seconds * 1000) / STEP_MS; t++) {
      carry(links.get('slow')!, (SLOW_BPS * STEP_MS) / 1000);
      carry(links.get('fast')!, (FAST_BPS * STEP_MS) / 1000);
      clock.advance(STEP_MS);
      await settle();
    }
    const fast = links.get('fast')!;
    const slow = links.get('slow')!;
    // The fast link moved most of what it could in the time (it was never left idle for long)…
    expect(fast.written - fast.bufferedAmount).toBeGreaterThan(0.75 * FAST_BPS * seconds);
    // …and the slow one was not starved either, nor stuffed with more than it could take.
    expect(slow.written).toBeGreaterThan(0);
    expect(slow.bufferedAmount).toBeLessThanOrEqual(PIECE_LENGTH_BYTES + SLOW_BPS);
  });

  it('keeps up with a fast link from the first second, before its rate is known', async () => {
    const { clock, links, ask, carry } = setup(250, ['a']);
    // The downloader keeps asking as pieces arrive, up to what a peer may queue with us (500 requests).
    let asked = 0;
    const keepAsking = () => {
      while ((asked + 1) * PIECE_LENGTH_BYTES - links.get('a')!.written <= 31 * PIECE_LENGTH_BYTES) ask('a', asked++);
    };
    keepAsking();
    const STEP_MS = 2;
    const LINK_BPS = 25_000_000; // a loopback data channel
    const link = links.get('a')!;
    await settle();
    for (let t = 0; t < 1000 / STEP_MS; t++) {
      carry(link, (LINK_BPS * STEP_MS) / 1000);
      keepAsking();
      clock.advance(STEP_MS);
      await settle();
    }
    expect(link.written - link.bufferedAmount).toBeGreaterThan(0.6 * LINK_BPS);
  });
});

describe('uploader: what a turn looks at', () => {
  /** Counts reads of a link's send buffer. */
  function counting(link: FakeLink): { reads: number } {
    const seen = { reads: 0 };
    let buffered = link.bufferedAmount;
    Object.defineProperty(link, 'bufferedAmount', {
      get: () => (seen.reads++, buffered),
      set: (v: number) => void (buffered = v),
    });
    return seen;
  }

  it('reads only the links holding bytes we sent, not every connection, and drops a link once seen empty', async () => {
    const idle = Array.from({ length: 50 }, (_, i) => `idle${i}`);
    const { clock, links, ask, carry } = setup(250, ['a', 'b', ...idle]);
    const idleReads = idle.map((k) => counting(links.get(k)!));
    const bReads = counting(links.get('b')!);
    // b gets one piece, which the link then carries away.
    ask('b', 0);
    await settle();
    expect(links.get('b')!.written).toBe(PIECE_LENGTH_BYTES);
    carry(links.get('b')!, PIECE_LENGTH_BYTES);
    // a asks for eight pieces, sent over many turns as its link drains.
    /** a's link carries 32 KiB every 10 ms until `pieces` pieces have been written to it. */
    const drainA = async (pieces: number) => {
      for (let t = 0; t < 400 && links.get('a')!.written < pieces * PIECE_LENGTH_BYTES; t++) {
        carry(links.get('a')!, 32 * 1024);
        clock.advance(10);
        await settle();
      }
    };
    ask('a', 10, 8);
    await drainA(8);
    expect(links.get('a')!.written).toBe(8 * PIECE_LENGTH_BYTES);
    // The idle connections were never looked at; b only until it was seen empty.
    expect(idleReads.reduce((sum, r) => sum + r.reads, 0)).toBe(0);
    const bAfterEmpty = bReads.reads;
    expect(bAfterEmpty).toBeGreaterThan(0);
    ask('a', 30, 2);
    await drainA(10);
    expect(links.get('a')!.written).toBe(10 * PIECE_LENGTH_BYTES);
    expect(bReads.reads).toBe(bAfterEmpty);
  });
});
