/**
 * `npm run bench:cli` — how long `tabswarm` takes to start, as a user who ran `npm install tabswarm`
 * gets it: the package packed and installed into an empty folder (test/helpers/packed.ts), then each
 * command timed from spawn to exit, 20 times. Goal: ≤ 0.3 s for `--version` and `--help`. For
 * context, the same command through the TypeScript sources with tsx (how the CLI started before it
 * was compiled) and `node -e ""` (Node's own start, the floor).
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packAndInstall, ROOT } from '../helpers/packed.ts';
import { machine, spread, writeResults, type Spread } from './lib/report.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const GOAL_S = 0.3;

function timed(args: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return seconds;
}

function measure(args: string[], cwd: string): Spread {
  timed(args, cwd); // the first start warms the page cache; not counted
  return spread(Array.from({ length: RUNS }, () => timed(args, cwd)));
}

const packed = packAndInstall();
try {
  writeFileSync(join(packed.consumer, 'small.txt'), 'a small file to hash\n');
  const rows: Array<{ what: string; command: string; seconds: Spread; goal: boolean }> = [];
  const add = (what: string, command: string, args: string[], cwd: string, goal: boolean) => {
    rows.push({ what, command, seconds: measure(args, cwd), goal });
    process.stdout.write(`${what}: median ${rows.at(-1)!.seconds.median} s\n`);
  };
  add('installed package', 'tabswarm --version', [packed.bin, '--version'], packed.consumer, true);
  add('installed package', 'tabswarm --help', [packed.bin, '--help'], packed.consumer, true);
  add('installed package', 'tabswarm create small.txt', [packed.bin, 'create', 'small.txt', '-o', 'small.torrent'], packed.consumer, false);
  add('sources through tsx (before)', 'tabswarm --version', ['--import', 'tsx', join(ROOT, 'client/cli/main.ts'), '--version'], ROOT, false);
  add('Node alone (floor)', 'node -e ""', ['-e', ''], packed.consumer, false);

  const goalRows = rows.filter((r) => r.goal);
  const met = goalRows.every((r) => r.seconds.median <= GOAL_S);
  const result = { machine: machine(), runs: RUNS, goalSeconds: GOAL_S, goalMet: met, rows };
  const m = result.machine;
  writeResults(
    'cli-start',
    result,
    [
      '# CLI start-up benchmark (`npm run bench:cli`)',
      '',
      `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}. The package packed with \`npm pack\` and installed from the tarball into an empty folder; each command timed from spawn to exit, ${RUNS} runs after one untimed warm-up.`,
      '',
      '| what | command | min s | median s | max s |',
      '| --- | --- | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.what} | \`${r.command}\` | ${r.seconds.min.toFixed(3)} | ${r.seconds.median.toFixed(3)} | ${r.seconds.max.toFixed(3)} |`),
      '',
      `Goal: \`tabswarm --version\` and \`--help\` start and exit in ≤ ${GOAL_S} s — ${met ? 'met' : 'NOT met'} (medians ${goalRows.map((r) => r.seconds.median.toFixed(3)).join(' s and ')} s).`,
    ].join('\n'),
  );
} finally {
  rmSync(packed.work, { recursive: true, force: true });
}
