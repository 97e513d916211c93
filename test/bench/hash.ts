/**
 * `npm run bench:hash` — how fast `tabswarm create` hashes: a 256 MiB file, 3 runs each of
 *  - the CLI end to end (process start, read, hash, write the .torrent), and
 *  - createTorrent in-process with node:crypto (the CLI's hasher),
 * plus, for context, the two SHA-1s a browser may use (WebCrypto, and @noble/hashes for plain-http
 * pages) on the same data in memory. Goal: ≥ 300 MB/s in Node.
 */
import { spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTorrent } from '../../shared/metainfo/index.ts';
import { portableSha1, webCryptoSha1, type Sha1 } from '../../shared/sha1.ts';
import { readFsInput } from '../../client/cli/fs-input.ts';
import { nodeSha1 } from '../../client/node/sha1.ts';
import { machine, spread, writeResults } from './lib/report.ts';

const FILE_BYTES = 256 * 1024 * 1024;
const RUNS = 3;
const MB = 1e6;
const CLI = fileURLToPath(new URL('../../bin/tabswarm.js', import.meta.url));

function makeFile(dir: string): string {
  const path = join(dir, 'bench-256MiB.bin');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let written = 0; written < FILE_BYTES; written += chunk.length) writeSync(fd, randomFillSync(chunk));
  closeSync(fd);
  return path;
}

async function timeInProcess(path: string): Promise<number> {
  const input = await readFsInput(path);
  const start = performance.now();
  await createTorrent({ name: input.name, files: input.files, multiFile: false, sha1: nodeSha1 });
  return (performance.now() - start) / 1000;
}

function timeCli(path: string, dir: string): number {
  const start = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'create', path, '-o', join(dir, 'out.torrent'), '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tabswarm create failed: ${r.stderr}`);
  return (performance.now() - start) / 1000;
}

async function timeSha1InMemory(sha1: Sha1, bytes: Uint8Array, pieceLength = 262_144): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < bytes.length; i += pieceLength) await sha1(bytes.subarray(i, i + pieceLength));
  return (performance.now() - start) / 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'tabswarm-bench-hash-'));
try {
  process.stdout.write(`writing a ${FILE_BYTES / 2 ** 20} MiB file…\n`);
  const path = makeFile(dir);
  const cli: number[] = [];
  const inProcess: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    cli.push(FILE_BYTES / MB / timeCli(path, dir));
    inProcess.push(FILE_BYTES / MB / (await timeInProcess(path)));
    process.stdout.write(`run ${i + 1}: cli ${cli.at(-1)!.toFixed(0)} MB/s, in-process ${inProcess.at(-1)!.toFixed(0)} MB/s\n`);
  }
  // Browser hashers on 64 MiB in memory (the noble one is slow; 256 MiB would add little).
  const sample = randomFillSync(new Uint8Array(64 * 1024 * 1024));
  const web = webCryptoSha1();
  const webcrypto: number[] = [];
  const noble: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (web) webcrypto.push(sample.length / MB / (await timeSha1InMemory(web, sample)));
    noble.push(sample.length / MB / (await timeSha1InMemory(portableSha1, sample)));
  }

  const result = {
    machine: machine(),
    fileBytes: FILE_BYTES,
    goalMBps: 300,
    cliMBps: spread(cli),
    createTorrentMBps: spread(inProcess),
    inMemorySha1MBps: { webcrypto: web ? spread(webcrypto) : null, noble: spread(noble) },
  };
  const m = result.machine;
  const row = (name: string, s: { min: number; median: number; max: number }) => `| ${name} | ${s.min.toFixed(0)} | ${s.median.toFixed(0)} | ${s.max.toFixed(0)} |`;
  writeResults(
    'hash',
    result,
    [
      '# Hashing benchmark (`npm run bench:hash`)',
      '',
      `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.date}. ${RUNS} runs each; MB/s = 10^6 bytes/s.`,
      '',
      '| what | min MB/s | median MB/s | max MB/s |',
      '| --- | ---: | ---: | ---: |',
      row('`tabswarm create` 256 MiB file, end to end (CLI process)', result.cliMBps),
      row('createTorrent 256 MiB file, node:crypto, in process', result.createTorrentMBps),
      ...(result.inMemorySha1MBps.webcrypto ? [row('WebCrypto SHA-1, 64 MiB in memory, 256 KiB pieces', result.inMemorySha1MBps.webcrypto)] : []),
      row('@noble/hashes SHA-1 (plain-http fallback), 64 MiB in memory', result.inMemorySha1MBps.noble),
      '',
      `Goal: ≥ ${result.goalMBps} MB/s in Node — ${result.cliMBps.median >= result.goalMBps ? 'met' : 'NOT met'} (CLI median ${result.cliMBps.median.toFixed(0)} MB/s).`,
    ].join('\n'),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
