import { describe, expect, it } from 'vitest';
import { afterWorkerExit, MAX_RESTARTS_IN_WINDOW, RESTART_WINDOW_MS } from '../../client/cli/seed-supervisor.ts';

describe('afterWorkerExit: what the seed supervisor does when its worker ends', () => {
  it('passes an ordinary exit code on', () => {
    expect(afterWorkerExit({ code: 0, signal: null }, [], 0, false)).toEqual({ action: 'exit', code: 0 });
    expect(afterWorkerExit({ code: 2, signal: null }, [], 0, false)).toEqual({ action: 'exit', code: 2 });
  });

  it('restarts after a native crash, saying which signal', () => {
    for (const signal of ['SIGSEGV', 'SIGBUS', 'SIGABRT'] as const) {
      const next = afterWorkerExit({ code: null, signal }, [], 0, false);
      expect(next.action).toBe('restart');
      expect(next.message).toContain(signal);
    }
  });

  it('does not restart a worker the user stopped, or one killed from outside', () => {
    expect(afterWorkerExit({ code: null, signal: 'SIGSEGV' }, [], 0, true)).toEqual({ action: 'exit', code: 139 });
    expect(afterWorkerExit({ code: null, signal: 'SIGKILL' }, [], 0, false)).toEqual({ action: 'exit', code: 137 });
    expect(afterWorkerExit({ code: null, signal: 'SIGTERM' }, [], 0, false)).toEqual({ action: 'exit', code: 143 });
  });

  it(`gives up after ${MAX_RESTARTS_IN_WINDOW} restarts within the window, and tries again once they are older`, () => {
    const now = 1_000_000;
    const recent = Array.from({ length: MAX_RESTARTS_IN_WINDOW }, (_, i) => now - 1_000 * (i + 1));
    const gaveUp = afterWorkerExit({ code: null, signal: 'SIGSEGV' }, recent, now, false);
    expect(gaveUp).toMatchObject({ action: 'exit', code: 1 });
    expect(gaveUp.message).toMatch(/giving up\. Run the same command again to resume seeding/);
    const old = recent.map((t) => t - RESTART_WINDOW_MS);
    expect(afterWorkerExit({ code: null, signal: 'SIGSEGV' }, old, now, false).action).toBe('restart');
  });
});
