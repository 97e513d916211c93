/**
 * Virtual time for the simulator: the engine's ManualClock (a heap of timers) run event by event,
 * so a swarm of a thousand peers (each with its tick, rechoke and block timers) runs as fast as the
 * CPU allows and the same way every time. After each timer the engine's promise chains settle, as
 * the event loop would let them.
 */
import { ManualClock } from '../../client/engine/clock.ts';

/**
 * Promise chains this deep settle before the next timer fires. The engine's chains after an event
 * (a store read, a hash, a write, a bitfield save) are a few steps; a macrotask turn (setImmediate)
 * would settle any depth but cost a tenth more wall time, with the same results on every scenario
 * we compared. A deeper chain would not break determinism, only finish at the next event's time.
 */
const SETTLE_DEPTH = 32;

async function settle(): Promise<void> {
  for (let i = 0; i < SETTLE_DEPTH; i++) await null;
}

export class SimClock extends ManualClock {
  constructor() {
    super(0);
  }

  /** Fires timers in order until `done()` holds or virtual time would pass `untilMs`; async steps (store reads, hashing) take no virtual time, as on a machine that is not CPU-bound. */
  async run(done: () => boolean, untilMs: number): Promise<void> {
    while (!done()) {
      if (!this.fireNext(untilMs)) return;
      await settle();
    }
  }
}
