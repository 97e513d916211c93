/** A real WebTorrent tracker client (the bittorrent-tracker package) against our server. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let s: RunningServer | undefined;
afterEach(async () => {
  await s?.server.close();
  s = undefined;
});

/** Runs a script in a child process (its WebRTC stack comes in through register-wrtc-shim.mjs). */
function runScript(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', './test/interop/register-wrtc-shim.mjs', script, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('bittorrent-tracker clients through our server', () => {
  it('announce, get each other’s offers, complete the signalling round trip and open a data channel', async () => {
    s = await startServer();
    const run = await runScript('test/interop/bittorrent-tracker-clients.mjs', [`${s.wsUrl}/announce`]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
    expect(result.warnings).toEqual([]);
    // Both ends saw the other as a peer: one from an offer delivered, one from the answer routed back.
    expect(result.peers).toEqual({ a: 1, b: 1 });
    expect(result.connected).toEqual({ a: true, b: true });
    expect(result.messages).toEqual({ a: 'hello from b', b: 'hello from a' });
    // Announce replies carried counts; the client's own scrape saw both leechers.
    expect(result.updates).toContainEqual({ client: 'b', complete: 0, incomplete: 2 });
    expect(result.scrape).toEqual({ complete: 0, incomplete: 2 });
    expect(s.server.metrics.offersRelayed).toBeGreaterThanOrEqual(1);
    expect(s.server.metrics.answersRelayed).toBeGreaterThanOrEqual(1);
    expect(s.server.metrics.rejects.size).toBe(0);
  }, 60_000);
});
