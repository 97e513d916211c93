/**
 * A private share through a TURN relay, as `tabswarm seed --private --relay-only` and
 * `tabswarm get --relay-only` run it: every byte between the two peers passes through coturn, and a
 * recorder in front of coturn keeps what the relay saw. It holds the whole transfer and no plaintext
 * window of any file nor their names. `--relay-only` with no relay on offer is refused up front.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runCliAsync } from '../helpers/cli.ts';
import { startCoturn, type Coturn } from '../helpers/coturn.ts';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';
import { tree } from '../helpers/tree.ts';
import { startUdpRecorder, type UdpRecorder } from '../helpers/udp-recorder.ts';

let coturn: Coturn;
let recorder: UdpRecorder;
let server: ServerProcess;
let plainServer: ServerProcess;
const work = mkdtempSync(join(tmpdir(), 'tabswarm-private-turn-'));
const src = join(work, 'src', 'board minutes');
const children: ChildProcess[] = [];

beforeAll(async () => {
  coturn = await startCoturn();
  recorder = await startUdpRecorder(coturn.port);
  // The server hands out the recorder's address as its relay: clients reach coturn only through it.
  server = await spawnServer({ TURN_URLS: `turn:127.0.0.1:${recorder.port}`, TURN_SECRET: coturn.secret });
  plainServer = await spawnServer();
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'minutes.txt'), 'Item 4: the merger is off; tell nobody before Friday. '.repeat(12_000));
  writeFileSync(join(src, 'figures.bin'), randomBytes(700_000));
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of [server, plainServer]) {
    s.child.kill('SIGTERM');
    await s.exited;
  }
  await recorder.close();
  await coturn.stop();
});

/** Whether any 64-byte window of `plain` (sampled every 2 KiB) appears in `seen`. */
function windowsFound(seen: Buffer, plain: Buffer): number {
  let found = 0;
  for (let at = 0; at + 64 <= plain.length; at += 2048) if (seen.includes(plain.subarray(at, at + 64))) found++;
  return found;
}

describe('a private share through a TURN relay', () => {
  it('completes byte-exact with both peers relay-only, and the relay carried the whole transfer as ciphertext only', async () => {
    const tracker = `ws://127.0.0.1:${server.port}`;
    // The seeder keeps its sealed copy under TMPDIR, which must exist before it starts.
    mkdirSync(join(work, 'tmp'), { recursive: true });
    const seeder = spawn(process.execPath, [CLI, 'seed', src, '--private', '--relay-only', '--tracker', tracker], { env: { ...process.env, TMPDIR: join(work, 'tmp') } });
    children.push(seeder);
    let log = '';
    seeder.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const link = await new Promise<string>((resolve, reject) => {
      let out = '';
      seeder.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n').find((l) => l.startsWith('magnet:'));
        if (line) resolve(line);
      });
      seeder.on('exit', (code) => reject(new Error(`seeder exited ${code}: ${log}`)));
    });
    const before = recorder.bytes();
    const out = join(work, 'got');
    const r = await runCliAsync(['get', link, '--relay-only', '-o', out, '--timeout', '30']);
    expect(r.status, `${r.stderr}\nseeder: ${log}`).toBe(0);
    expect(tree(join(out, 'board minutes'))).toEqual(tree(src));

    // Everything went through the relay: at least the content's size passed the recorder.
    const contentBytes = statSync(join(src, 'minutes.txt')).size + statSync(join(src, 'figures.bin')).size;
    expect(recorder.bytes() - before).toBeGreaterThan(contentBytes);
    expect(coturn.log()).toMatch(/ALLOCATE processed, success/);
    // And what it carried holds no window of either file, nor the names.
    const seen = Buffer.concat(recorder.datagrams());
    expect(windowsFound(seen, readFileSync(join(src, 'minutes.txt')))).toBe(0);
    expect(windowsFound(seen, readFileSync(join(src, 'figures.bin')))).toBe(0);
    for (const name of ['minutes.txt', 'figures.bin', 'board minutes']) expect(seen.includes(Buffer.from(name)), name).toBe(false);
    seeder.kill('SIGTERM');
  }, 90_000);

  it('the recorder would see plaintext if it were there: a window of the file sent through it in the clear is found', async () => {
    // The check above is only as good as its search: the same search finds a window in a datagram that carries one.
    const plain = readFileSync(join(src, 'minutes.txt'));
    const rec = await startUdpRecorder(coturn.port);
    const sock = createSocket('udp4');
    await new Promise<void>((resolve) => sock.send(plain.subarray(4096, 4096 + 1200), rec.port, '127.0.0.1', () => resolve()));
    await expect.poll(() => rec.bytes()).toBeGreaterThan(0);
    expect(windowsFound(Buffer.concat(rec.datagrams()), plain)).toBeGreaterThan(0);
    sock.close();
    await rec.close();
  });

  it('--relay-only where no relay is on offer is refused at once with what to do', async () => {
    const r = await runCliAsync(['get', `magnet:?xt=urn:btih:${'ab'.repeat(20)}`, '--relay-only', '--tracker', `ws://127.0.0.1:${plainServer.port}`, '-o', join(work, 'none'), '--timeout', '5']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--relay-only needs a TURN relay, and no tracker's server \(ws:\/\/127\.0\.0\.1:\d+\) hands one out at \/config\. .*\[RELAY_UNAVAILABLE\]/);
  }, 30_000);
});
