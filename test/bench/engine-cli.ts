/**
 * bench:engine, part two: the headless peer in a swarm, as a user runs it. The server (`npm start`'s
 * entry), one `tabswarm seed` and N = 4 `tabswarm get --seed` processes, a 16 MiB file, every peer's
 * upload limited to 1 MiB/s (--upload-limit 1048576), real WebRTC through @roamhq/wrtc. Timed from
 * the moment the get commands are started until the last one prints "saved". D_p2p is the chapter's
 * bound for those limits. Variants, each its own set of runs in the same bench run, show where the
 * time goes: the compiled CLI with initial seeding (the default), without it, and the sources
 * through tsx (what every start paid before the CLI was compiled).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dPeerToPeer, uniform } from '../../shared/theory.ts';
import { CLI } from '../helpers/cli.ts';
import { spawnServer, waitForLine } from '../helpers/process.ts';
import { spread, type Spread } from './lib/report.ts';

const MiB = 1024 * 1024;
export const CLI_SWARM = { N: 4, F: 16 * MiB, u: MiB };
const RUN_TIMEOUT_MS = 180_000;
const MAIN_TS = fileURLToPath(new URL('../../client/cli/main.ts', import.meta.url));

export type CliVariant = 'compiled' | 'compiled, no initial seeding' | 'tsx (sources compiled at every start)';

function cliArgs(variant: CliVariant, args: string[]): string[] {
  return variant.startsWith('tsx') ? ['--import', 'tsx', MAIN_TS, ...args] : [CLI, ...args];
}

export async function cliSwarmOnce(variant: CliVariant): Promise<number> {
  const { N, F, u } = CLI_SWARM;
  const work = mkdtempSync(join(tmpdir(), 'tabswarm-bench-cli-'));
  const server = await spawnServer();
  const tracker = `ws://127.0.0.1:${server.port}`;
  const children: ChildProcess[] = [];
  const start = (args: string[]) => {
    const child = spawn(process.execPath, cliArgs(variant, args), { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  try {
    const file = join(work, 'bench.bin');
    writeFileSync(file, randomBytes(F));
    const seedArgs = ['seed', file, '--tracker', tracker, '--upload-limit', String(u)];
    if (variant === 'compiled, no initial seeding') seedArgs.push('--no-initial-seeding');
    const seeder = start(seedArgs);
    const magnet = (await waitForLine(seeder, /^magnet:/, 'seed')).line.trim();
    const t0 = performance.now();
    const gets = Array.from({ length: N }, (_, i) => {
      const dir = join(work, `get-${i}`);
      mkdirSync(dir);
      return waitForLine(start(['get', magnet, '-o', dir, '--tracker', tracker, '--upload-limit', String(u), '--seed', '--timeout', '120']), /^saved /, `get ${i}`);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${variant}: not done within ${RUN_TIMEOUT_MS} ms`)), RUN_TIMEOUT_MS)));
    const done = await Promise.race([Promise.all(gets), timeout]);
    clearTimeout(timer);
    return (Math.max(...done.map((d) => d.atMs)) - t0) / 1000;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    server.child.kill('SIGKILL');
    await server.exited;
    rmSync(work, { recursive: true, force: true });
  }
}

export interface CliSwarmResult {
  variant: CliVariant;
  seconds: Spread;
  ratio: Spread;
}

export function cliDP2p(): number {
  const { N, F, u } = CLI_SWARM;
  return dPeerToPeer(uniform(F, u, u, N));
}

export async function measureCliSwarm(variants: CliVariant[], runs: number, log: (line: string) => void): Promise<CliSwarmResult[]> {
  const dP2p = cliDP2p();
  const out: CliSwarmResult[] = [];
  for (const variant of variants) {
    const seconds: number[] = [];
    for (let r = 0; r < runs; r++) {
      const s = await cliSwarmOnce(variant);
      log(`  ${variant}, run ${r + 1}: ${s.toFixed(2)} s = ${(s / dP2p).toFixed(3)} × D_p2p`);
      seconds.push(s);
    }
    out.push({ variant, seconds: spread(seconds), ratio: spread(seconds.map((s) => s / dP2p)) });
  }
  return out;
}
