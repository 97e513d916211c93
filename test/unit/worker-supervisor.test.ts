import { describe, expect, it } from 'vitest';
import { afterWorkerExit, DOWNLOAD, MAX_RESTARTS_IN_WINDOW, RESTART_WINDOW_MS, SEEDING } from '../../client/cli/worker-supervisor.ts';

describe('afterWorkerExit: what the supervisor of seed and get does when its worker ends', () => {
  it('passes an ordinary exit code on', () => {
    expect(afterWorkerExit({ code: 0, signal: null }, [], 0, false, SEEDING)).toEqual({ action: 'exit', code: 0 });
    expect(afterWorkerExit({ code: 2, signal: null }, [], 0, false, SEEDING)).toEqual({ action: 'exit', code: 2 });
  });

  it('restarts after a native crash, saying which signal', () => {
    for (const signal of ['SIGSEGV', 'SIGBUS', 'SIGABRT'] as const) {
      const next = afterWorkerExit({ code: null, signal }, [], 0, false, SEEDING);
      expect(next.action).toBe('restart');
      expect(next.message).toContain(signal);
    }
  });

  it('says what a restart means for a download: it resumes from what is verified on disk', () => {
    const next = afterWorkerExit({ code: null, signal: 'SIGSEGV' }, [], 0, false, DOWNLOAD);
    expect(next).toEqual({ action: 'restart', message: 'the download process crashed (SIGSEGV, in the WebRTC library); starting it again, resuming from the pieces already verified on disk' });
    const recent = Array.from({ length: MAX_RESTARTS_IN_WINDOW }, (_, i) => 1_000_000 - 1_000 * (i + 1));
    expect(afterWorkerExit({ code: null, signal: 'SIGSEGV' }, recent, 1_000_000, false, DOWNLOAD).message).toMatch(/giving up\. Run the same command again to resume the download\.$/);
  });

  it('does not restart a worker the user stopped, or one killed from outside', () => {
    expect(afterWorkerExit({ code: null, signal: 'SIGSEGV' }, [], 0, true, SEEDING)).toEqual({ action: 'exit', code: 139 });
    expect(afterWorkerExit({ code: null, signal: 'SIGKILL' }, [], 0, false, SEEDING)).toEqual({ action: 'exit', code: 137 });
    expect(afterWorkerExit({ code: null, signal: 'SIGTERM' }, [], 0, false, SEEDING)).toEqual({ action: 'exit', code: 143 });
  });

  it(`gives up after ${MAX_RESTARTS_IN_WINDOW} restarts within the window, and tries again once they are older`, () => {
    const now = 1_000_000;
    const recent = Array.from({ length: MAX_RESTARTS_IN_WINDOW }, (_, i) => now - 1_000 * (i + 1));
    const gaveUp = afterWorkerExit({ code: null, signal: 'SIGSEGV' }, recent, now, false, SEEDING);
    expect(gaveUp).toMatchObject({ action: 'exit', code: 1 });
    expect(gaveUp.message).toMatch(/giving up\. Run the same command again to resume seeding/);
    const old = recent.map((t) => t - RESTART_WINDOW_MS);
    expect(afterWorkerExit({ code: null, signal: 'SIGSEGV' }, old, now, false, SEEDING).action).toBe('restart');
  });
});

describe('superviseWorker with real worker processes', () => {
  /** A worker that crashes (SIGSEGV) on its first start, having said it printed the link or not, and reports on its second start whether it was told the link is out. */
  async function run(printsLinkBeforeCrash: boolean): Promise<string> {
    const { mkdtempSync, writeFileSync, readFileSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { superviseWorker, LINK_PRINTED_MESSAGE, RESTART_ENV } = await import('../../client/cli/worker-supervisor.ts');
    const dir = mkdtempSync(join(tmpdir(), 'tabswarm-supervisor-'));
    const script = join(dir, 'worker.mjs');
    writeFileSync(
      script,
      `import { existsSync, writeFileSync } from 'node:fs';
const started = ${JSON.stringify(join(dir, 'started'))};
if (!existsSync(started)) {
  writeFileSync(started, '');
  ${printsLinkBeforeCrash ? `process.send(${JSON.stringify(LINK_PRINTED_MESSAGE)}, () => process.kill(process.pid, 'SIGSEGV'));` : `process.kill(process.pid, 'SIGSEGV');`}
} else {
  writeFileSync(${JSON.stringify(join(dir, 'second'))}, process.env.${RESTART_ENV} ?? 'unset');
  process.exit(0);
}
`,
    );
    const logs: string[] = [];
    expect(await superviseWorker(script, [], SEEDING, (l) => logs.push(l))).toBe(0);
    expect(logs.join('\n')).toMatch(/crashed \(SIGSEGV/);
    expect(existsSync(join(dir, 'second'))).toBe(true);
    return readFileSync(join(dir, 'second'), 'utf8');
  }

  it('a worker that crashed after printing the link is restarted as such (it does not print it again)', async () => {
    expect(await run(true)).toBe('1');
  });

  it('a worker that crashed before printing the link leaves the printing to the next one', async () => {
    expect(await run(false)).toBe('unset');
  });
});
