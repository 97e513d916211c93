/**
 * The requester's pipelines: each source's is sized to its rate, and all of them together to what we
 * receive. A slow downloader unchoked by thirty seeds once queued 16 blocks at each (7.5 MiB, half a
 * minute of its 256 KiB/s): the requests timed out at the senders and came again as duplicates,
 * and in the simulator such peers took 2 x their bound.
 */
import { describe, expect, it } from 'vitest';
import { Bitfield } from '../../shared/bitfield.ts';
import { BLOCK_LENGTH_BYTES } from '../../shared/constants.ts';
import { Availability } from '../../client/engine/availability.ts';
import { ManualClock } from '../../client/engine/clock.ts';
import { DEFAULT_ENGINE_OPTIONS } from '../../client/engine/options.ts';
import { MIN_SOURCE_PIPELINE, pipelineSize, Requester, sourceSlots, totalPipelineSize } from '../../client/engine/requester.ts';
import type { BlockRequest } from '../../client/engine/picker.ts';

const PIECE = 256 * 1024;
const PIECES = 256;

function setup() {
  const clock = new ManualClock(0);
  const have = new Bitfield(PIECES);
  const availability = new Availability(PIECES, have, () => 0.5);
  const sent = new Map<string, BlockRequest[]>();
  const requester = new Requester({ pieceCount: PIECES, pieceLength: PIECE, totalLength: PIECES * PIECE }, have, availability, clock, () => 0.5, {
    send: (key, r) => sent.set(key, [...(sent.get(key) ?? []), r]),
    cancel: () => {},
    complete: () => {},
    backlogged: () => false,
    refilled: () => {},
  }, { ...DEFAULT_ENGINE_OPTIONS });
  const all = new Bitfield(PIECES);
  for (let i = 0; i < PIECES; i++) all.set(i);
  const source = (key: string, rate = 0) => {
    availability.onBitfield(key, all);
    return { key, has: all, wanted: PIECES, rate };
  };
  return { clock, requester, sent, source, availability };
}

describe('request pipelines', () => {
  it('sizes the total to what we receive, never below its floor, and leaves each source a couple', () => {
    const o = { totalPipelineSeconds: 4, minTotalPipeline: 64 };
    expect(totalPipelineSize(0, o)).toBe(64);
    expect(totalPipelineSize(256 * 1024, o)).toBe(64);
    expect(totalPipelineSize(4 * 1024 * 1024, o)).toBe(1024);
    // Room in the total: the source's own pipeline decides.
    expect(sourceSlots(16, 0, 64, 0)).toBe(16);
    expect(sourceSlots(16, 10, 64, 10)).toBe(6);
    // The total is used up: a source still keeps MIN_SOURCE_PIPELINE out, and no more.
    expect(sourceSlots(16, 0, 64, 64)).toBe(MIN_SOURCE_PIPELINE);
    expect(sourceSlots(16, MIN_SOURCE_PIPELINE, 64, 80)).toBe(0);
    // A source that takes fewer at once than the floor is not asked for more.
    expect(sourceSlots(1, 0, 64, 64)).toBe(1);
  });

  it('thirty new sources at once: about the total floor out, not a whole piece at each', () => {
    const { requester, source, sent } = setup();
    for (let k = 0; k < 30; k++) requester.fill(source(`s${k}`));
    const floorEach = MIN_SOURCE_PIPELINE * 30;
    expect(requester.inFlight()).toBeLessThanOrEqual(DEFAULT_ENGINE_OPTIONS.minTotalPipeline + floorEach);
    expect(requester.inFlight()).toBeLessThan(30 * DEFAULT_ENGINE_OPTIONS.newSourcePipeline / 3);
    for (let k = 0; k < 30; k++) expect(sent.get(`s${k}`)?.length ?? 0).toBeGreaterThanOrEqual(MIN_SOURCE_PIPELINE);
  });

  it('sizes a source to its rate: whole pieces from one that sends a piece within pipelineSeconds, a few blocks from a slower one', () => {
    const o = { ...DEFAULT_ENGINE_OPTIONS };
    expect(o.minPipeline).toBe(4);
    expect(o.newSourcePipeline).toBe(PIECE / BLOCK_LENGTH_BYTES);
    // 13 KiB/s (a 64 KiB/s uplink shared by five): a whole piece would wait 20 s in its queue.
    expect(pipelineSize(13 * 1024, o)).toBe(o.minPipeline);
    expect(pipelineSize(128 * 1024, o)).toBe(8);
    expect(pipelineSize(256 * 1024, o)).toBe(16);
    expect(pipelineSize(1024 * 1024, o)).toBe(64);
    expect(pipelineSize(64 * 1024 * 1024, o)).toBe(o.maxPipeline);
    // No rate yet: a whole piece, or the source's share of the total when that is less, never below the floor.
    expect(pipelineSize(0, o)).toBe(16);
    expect(pipelineSize(0, o, undefined, 64)).toBe(16);
    expect(pipelineSize(0, o, undefined, 9)).toBe(9);
    expect(pipelineSize(0, o, undefined, 1)).toBe(o.minPipeline);
    // A source's own cap (BEP 10 reqq) wins over everything.
    expect(pipelineSize(0, o, 3)).toBe(3);
    expect(pipelineSize(1024 * 1024, o, 10)).toBe(10);
  });

  it('slow sources leave the total to a fast one instead of holding a whole piece each', () => {
    const { requester, source, sent } = setup();
    // Four sources measured at 16 KiB/s: four blocks each. At a whole piece each (the old floor)
    // they held all 64 of the total, and a fast source that unchoked us next got two blocks.
    for (let k = 0; k < 4; k++) requester.fill(source(`slow${k}`, 16 * 1024));
    for (let k = 0; k < 4; k++) expect(sent.get(`slow${k}`)).toHaveLength(DEFAULT_ENGINE_OPTIONS.minPipeline);
    requester.fill(source('fast', 1024 * 1024));
    expect(sent.get('fast')).toHaveLength(DEFAULT_ENGINE_OPTIONS.minTotalPipeline - 4 * DEFAULT_ENGINE_OPTIONS.minPipeline);
  });

  it('an origin, which fetches a whole piece for its first block, is asked for whole pieces however slow', () => {
    const { requester, source, sent } = setup();
    requester.fill({ ...source('origin', 16 * 1024), wholePieces: true });
    expect(sent.get('origin')).toHaveLength(PIECE / BLOCK_LENGTH_BYTES);
    expect(new Set(sent.get('origin')!.map((r) => r.index)).size).toBe(1);
  });

  it('a new source gets a whole piece, or its share of the total when many sources share it', () => {
    const { requester, source, sent } = setup();
    requester.fill(source('first'));
    expect(sent.get('first')).toHaveLength(16);
    // Three slow sources join: five sources share the total of 64 blocks, so a newcomer gets 12.
    for (let k = 0; k < 3; k++) requester.fill(source(`slow${k}`, 16 * 1024));
    requester.fill(source('newcomer'));
    expect(sent.get('newcomer')).toHaveLength(Math.floor(DEFAULT_ENGINE_OPTIONS.minTotalPipeline / 5));
  });

  it('a fast download earns a larger total: what arrived in the last seconds sizes it', () => {
    const { clock, requester, source, sent } = setup();
    const fast = source('fast', 8 * 1024 * 1024);
    requester.fill(fast);
    const first = requester.inFlight();
    expect(first).toBe(DEFAULT_ENGINE_OPTIONS.minTotalPipeline);
    // 4 MiB/s arriving for five seconds: every block answered, the pipeline topped up each time.
    const perTick = (4 * 1024 * 1024) / BLOCK_LENGTH_BYTES / 10;
    for (let tick = 0; tick < 50; tick++) {
      clock.advance(100);
      for (let n = 0; n < perTick; n++) {
        const r = sent.get('fast')!.shift()!;
        expect(requester.onBlock('fast', r.index, r.begin, new Uint8Array(r.length)).kind).toBe('accepted');
      }
      requester.fill(fast);
    }
    // 4 s of 4 MiB/s is 1,024 blocks; the source's own pipeline (1 s of its 8 MiB/s, capped at maxPipeline) is the tighter bound.
    expect(requester.inFlight()).toBe(DEFAULT_ENGINE_OPTIONS.maxPipeline);
  });
});
