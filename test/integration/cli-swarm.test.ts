/**
 * End to end over real WebRTC in Node, as a user runs it: the server (`npm start`'s entry point),
 * `tabswarm seed` on a folder, and two `tabswarm get` processes downloading it byte-exact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.ts';
import { spawnServer, waitForLine, type ServerProcess } from '../helpers/process.ts';
import { TestClient } from '../helpers/ws-client.ts';
import { until } from '../helpers/until.ts';
import { tree } from '../helpers/tree.ts';
import { descendants } from '../bench/lib/process-cpu.ts';

let server: ServerProcess;
let seeder: ChildProcess;
/** What the seeder said on stderr, and how it ended: read so its pipe never fills (a full pipe blocks a Node process), shown when a test fails. */
let seederLog = '';
let magnet: string;
let tracker: string;
let src: string;
const work = mkdtempSync(join(tmpdir(), 'tabswarm-e2e-'));

/** The seeding worker under `tabswarm seed` (the seeder process's one descendant), or null. */
function workerOf(seederPid: number): number | null {
  return descendants(seederPid).find((pid) => pid !== seederPid) ?? null;
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code, signal) => resolve({ code, stdout, stderr: signal ? `${stderr}\n[killed by ${signal}]` : stderr }));
  });
}

beforeAll(async () => {
  server = await spawnServer();
  tracker = `ws://127.0.0.1:${server.port}`;
  src = join(work, 'src', 'holiday photos');
  mkdirSync(join(src, 'day 1'), { recursive: true });
  writeFileSync(join(src, 'day 1', 'beach.jpg'), randomBytes(1_500_000));
  writeFileSync(join(src, 'day 1', 'sunset.jpg'), randomBytes(700_001));
  writeFileSync(join(src, 'notes.txt'), 'sand\n');
  writeFileSync(join(src, 'empty.txt'), '');
  // No core files: a test below crashes the seeding worker on purpose (the shell execs node, so the pid is the seeder's).
  seeder = spawn('/bin/sh', ['-c', 'ulimit -c 0 && exec "$0" "$@"', process.execPath, CLI, 'seed', src, '--tracker', tracker]);
  seeder.stderr!.on('data', (c: Buffer) => (seederLog += c.toString()));
  seeder.on('exit', (code, signal) => (seederLog += `\n[seeder exited: code ${code}, signal ${signal}]`));
  magnet = await new Promise<string>((resolve, reject) => {
    let out = '';
    seeder.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('magnet:'));
      if (line) resolve(line);
    });
    seeder.on('exit', (code) => reject(new Error(`seeder exited ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  if (seeder.exitCode === null) seeder.kill('SIGKILL');
  server.child.kill('SIGTERM');
  await server.exited;
});

describe('tabswarm seed + tabswarm get', () => {
  it('two get processes download a multi-file folder byte-exact', async () => {
    expect(magnet).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=holiday%20photos&tr=/);
    const [a, b] = await Promise.all([run(['get', magnet, '-o', join(work, 'a'), '--timeout', '20']), run(['get', magnet, '-o', join(work, 'b'), '--timeout', '20'])]);
    expect(a.code, `${a.stderr}\nseeder: ${seederLog}`).toBe(0);
    expect(b.code, `${b.stderr}\nseeder: ${seederLog}`).toBe(0);
    expect(a.stdout).toMatch(/saved holiday photos/);
    const want = tree(src);
    expect(Object.keys(want)).toHaveLength(4);
    expect(tree(join(work, 'a', 'holiday photos'))).toEqual(want);
    expect(tree(join(work, 'b', 'holiday photos'))).toEqual(want);
  }, 90_000);

  it('an interrupted get resumes from the verified pieces already on disk', async () => {
    const out = join(work, 'resume');
    cpSync(src, join(out, 'holiday photos'), { recursive: true });
    // Damage one file: its pieces fail the re-check and are fetched again.
    const beach = join(out, 'holiday photos', 'day 1', 'beach.jpg');
    const bytes = readFileSync(beach);
    bytes[500_000] = bytes[500_000]! ^ 0xff;
    writeFileSync(beach, bytes);
    const r = await run(['get', magnet, '-o', out, '--timeout', '20']);
    expect(r.code, `${r.stderr}\nseeder: ${seederLog}`).toBe(0);
    expect(r.stderr).toMatch(/resuming: \d+ pieces already on disk and verified/);
    const m = /(\d+) pieces downloaded, (\d+) resumed/.exec(r.stdout)!;
    expect(Number(m[1])).toBe(1);
    expect(Number(m[2])).toBeGreaterThan(5);
    expect(tree(join(out, 'holiday photos'))).toEqual(tree(src));
  }, 60_000);

  it('exits 3 with a clear message when no peer appears within --timeout', async () => {
    const r = await run(['get', `magnet:?xt=urn:btih:${'ab'.repeat(20)}`, '-o', join(work, 'none'), '--tracker', tracker, '--timeout', '2']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/No peer found within 2 s/);
  }, 30_000);

  it('exits 4 with a clear message when the disk is full, and leaves the other peers alone', async () => {
    const out = join(work, 'full');
    mkdirSync(join(out, 'holiday photos', 'day 1'), { recursive: true });
    // /dev/full answers every write with ENOSPC, as a full disk does.
    symlinkSync('/dev/full', join(out, 'holiday photos', 'day 1', 'beach.jpg'));
    const r = await run(['get', magnet, '-o', out, '--timeout', '20']);
    expect(r.code, `${r.stderr}\nseeder: ${seederLog}`).toBe(4);
    expect(r.stderr).toMatch(/is full: this download needs \d+ bytes in all\. Free some space and run the same command again to resume/);
    // The seeder is still there for everyone else.
    const ok = await run(['get', magnet, '-o', join(work, 'after-full'), '--timeout', '20']);
    expect(ok.code, `${ok.stderr}\nseeder: ${seederLog}`).toBe(0);
  }, 60_000);

  it('keeps seeding when its worker dies of a native crash: the supervisor starts it again, says so, and the link still works', async () => {
    const worker = workerOf(seeder.pid!);
    expect(worker, `seeder: ${seederLog}`).not.toBeNull();
    // What a segmentation fault inside the WebRTC library does to the process.
    process.kill(worker!, 'SIGSEGV');
    await until(() => /the seeding process crashed \(SIGSEGV, in the WebRTC library\); seeding again with the same link/.test(seederLog), 20_000);
    const r = await run(['get', magnet, '-o', join(work, 'after-crash'), '--timeout', '20']);
    expect(r.code, `${r.stderr}\nseeder: ${seederLog}`).toBe(0);
    expect(tree(join(work, 'after-crash', 'holiday photos'))).toEqual(tree(src));
    expect(seeder.exitCode).toBeNull();
    expect(workerOf(seeder.pid!)).not.toBe(worker);
  }, 60_000);

  it('finishes a download whose worker dies of a native crash: the supervisor starts it again, which resumes from the pieces on disk', async () => {
    // A share of its own, seeded slowly (2 MiB at 256 KiB/s, about 8 s), so the download is under way when its worker dies.
    const slowSrc = join(work, 'src', 'slow.bin');
    writeFileSync(slowSrc, randomBytes(2 * 1024 * 1024));
    const slowSeeder = spawn(process.execPath, [CLI, 'seed', slowSrc, '--tracker', tracker, '--upload-limit', String(256 * 1024), '--no-initial-seeding']);
    let slowLog = '';
    slowSeeder.stderr!.on('data', (c: Buffer) => (slowLog += c.toString()));
    try {
      const slowMagnet = (await waitForLine(slowSeeder, /^magnet:/, 'the slow seeder')).line;
      const out = join(work, 'crashed-get');
      // No core file from the deliberate crash (the shell execs node, so the pid is the command's).
      const get = spawn('/bin/sh', ['-c', 'ulimit -c 0 && exec "$0" "$@"', process.execPath, CLI, 'get', slowMagnet, '-o', out, '--timeout', '20']);
      let stdout = '';
      let stderr = '';
      let crashedWorker: number | null = null;
      get.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
      get.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        // Two pieces verified and written: what a segmentation fault in the WebRTC library does to the worker now.
        if (crashedWorker === null && / [2-7]\/8 pieces/.test(stderr)) {
          crashedWorker = workerOf(get.pid!);
          if (crashedWorker !== null) process.kill(crashedWorker, 'SIGSEGV');
        }
      });
      const code = await new Promise<number | null>((resolve) => get.on('exit', (c) => resolve(c)));
      expect(crashedWorker, stderr).not.toBeNull();
      expect(code, `${stderr}\nslow seeder: ${slowLog}`).toBe(0);
      expect(stderr).toMatch(/the download process crashed \(SIGSEGV, in the WebRTC library\); starting it again, resuming from the pieces already verified on disk/);
      const resumed = /resuming: (\d+) pieces already on disk and verified/.exec(stderr);
      expect(resumed, stderr).not.toBeNull();
      expect(Number(resumed![1])).toBeGreaterThanOrEqual(2);
      expect(stdout).toMatch(new RegExp(`\\d+ pieces downloaded, ${resumed![1]} resumed`));
      expect(readFileSync(join(out, 'slow.bin')).equals(readFileSync(slowSrc))).toBe(true);
    } finally {
      slowSeeder.kill('SIGTERM');
    }
  }, 90_000);

  it('exits 2 on a malformed torrent or magnet', async () => {
    const bad = join(work, 'bad.torrent');
    writeFileSync(bad, 'd4:infoi1ee');
    const r = await run(['get', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Invalid torrent/);
    const m = await run(['get', 'magnet:?xt=urn:btih:nothex']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/Invalid magnet link/);
  }, 30_000);

  it('seed leaves the swarm cleanly on SIGTERM (a stopped announce) and exits 0', async () => {
    const scrape = async () => {
      const client = await TestClient.connect(tracker);
      const infoHash = /btih:([0-9a-f]{40})/.exec(magnet)![1]!;
      const binary = String.fromCharCode(...infoHash.match(/../g)!.map((h) => parseInt(h, 16)));
      client.send({ action: 'scrape', info_hash: binary });
      const reply = (await client.next((m) => m.action === 'scrape')) as { files: Record<string, { complete: number }> };
      await client.close();
      return reply.files[binary]!.complete;
    };
    expect(await scrape(), `seeder: ${seederLog}`).toBe(1);
    const exited = new Promise<number | null>((r) => seeder.once('exit', r));
    seeder.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await scrape()).toBe(0);
  }, 30_000);
});
