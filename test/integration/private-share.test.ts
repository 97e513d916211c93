/**
 * Private shares end to end over real WebRTC in Node, as a user runs them: `tabswarm seed --private`
 * and `tabswarm create --private`, `tabswarm get` with the link; a wrong and a missing key; and a
 * tracker that rewrites the DTLS fingerprints in the SDP it relays (a man in the middle), which
 * gets refused connections with a message, not the data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { encodeLinkKey, newLinkKey } from '../../shared/private/key.ts';
import { sealedContentsOf } from '../../shared/private/contents.ts';
import { parseTorrent } from '../../shared/metainfo/parse.ts';
import { CLI, runCliAsync } from '../helpers/cli.ts';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';
import { until } from '../helpers/until.ts';
import { tree } from '../helpers/tree.ts';

let server: ServerProcess;
let tracker: string;
const work = mkdtempSync(join(tmpdir(), 'tabswarm-private-'));
/** The seeders' TMPDIR: where `seed --private` keeps the sealed copy it serves. */
const sealedTmp = join(work, 'tmp');
const src = join(work, 'src', 'holiday photos');
const children: ChildProcess[] = [];

/** Starts `tabswarm seed …`; resolves with the printed link and a live view of its stderr. */
function seed(args: string[]): Promise<{ link: string; log: () => string }> {
  const child = spawn(process.execPath, [CLI, 'seed', ...args], { env: { ...process.env, TMPDIR: sealedTmp } });
  children.push(child);
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('magnet:'));
      if (line) resolve({ link: line, log: () => log });
    });
    child.on('exit', (code) => reject(new Error(`seeder exited ${code}: ${log}`)));
  });
}

/**
 * A tracker in the middle: relays every frame between a client and the real tracker, and (when
 * `rewrite`) swaps each DTLS fingerprint in the SDP it relays for its own, as an attacker who
 * wanted to terminate both sides' DTLS would.
 */
async function middleTracker(upstream: string, rewrite: boolean): Promise<{ url: string; rewritten: () => number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let rewritten = 0;
  const fake = Array.from({ length: 32 }, () => 'AB').join(':');
  const alter = (text: string) => {
    if (!rewrite) return text;
    const msg = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['offer', 'answer']) {
      const desc = msg[key] as { sdp?: string } | undefined;
      if (desc?.sdp) {
        desc.sdp = desc.sdp.replace(/a=fingerprint:(\S+) [0-9A-Fa-f:]+/g, (_, algo: string) => `a=fingerprint:${algo} ${fake}`);
        rewritten++;
      }
    }
    for (const o of (msg.offers as Array<{ offer: { sdp: string } }> | undefined) ?? []) {
      o.offer.sdp = o.offer.sdp.replace(/a=fingerprint:(\S+) [0-9A-Fa-f:]+/g, (_, algo: string) => `a=fingerprint:${algo} ${fake}`);
      rewritten++;
    }
    return JSON.stringify(msg);
  };
  wss.on('connection', (client) => {
    const up = new WebSocket(upstream);
    const queue: string[] = [];
    up.on('open', () => queue.splice(0).forEach((m) => up.send(m)));
    client.on('message', (data) => (up.readyState === WebSocket.OPEN ? up.send(alter(data.toString())) : queue.push(alter(data.toString()))));
    up.on('message', (data) => client.send(alter(data.toString())));
    client.on('close', () => up.close());
    up.on('close', () => client.close());
    up.on('error', () => client.close());
  });
  const { port } = wss.address() as { port: number };
  return { url: `ws://127.0.0.1:${port}`, rewritten: () => rewritten, close: () => new Promise((r) => wss.close(() => r())) };
}

/** The link without its trackers (so a test can say which tracker a peer uses). */
const withoutTrackers = (link: string) => link.replace(/&tr=[^&]*/g, '');

/** Whether any 64-byte window of `plain` (sampled every 4 KiB) appears in `sealed`. */
function holdsPlaintext(sealed: Buffer, plain: Buffer): boolean {
  for (let at = 0; at + 64 <= plain.length; at += 4096) if (sealed.includes(plain.subarray(at, at + 64))) return true;
  return false;
}

beforeAll(async () => {
  server = await spawnServer();
  tracker = `ws://127.0.0.1:${server.port}`;
  mkdirSync(join(src, 'day 1'), { recursive: true });
  mkdirSync(sealedTmp);
  writeFileSync(join(src, 'day 1', 'beach.jpg'), randomBytes(1_500_000));
  writeFileSync(join(src, 'notes.txt'), 'The tide comes in at six; meet by the lighthouse. '.repeat(2_000));
  writeFileSync(join(src, 'empty.txt'), '');
}, 60_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  server.child.kill('SIGTERM');
  await server.exited;
});

describe('private shares', () => {
  let link: string;
  let seederLog: () => string;

  beforeAll(async () => {
    ({ link, log: seederLog } = await seed([src, '--private', '--tracker', tracker]));
  }, 60_000);

  it('seed --private prints a link with the key and no name; get opens it from the app link form, byte-exact', async () => {
    expect(link).toMatch(/^magnet:\?xt=urn:btih:[0-9a-f]{40}&tr=[^&]+&x\.tsk=[A-Za-z0-9_-]{43}$/);
    expect(link).not.toMatch(/holiday|dn=/);
    const out = join(work, 'got');
    const r = await runCliAsync(['get', `http://localhost:8080/#${link}`, '-o', out, '--timeout', '20']);
    expect(r.status, `${r.stderr}\nseeder: ${seederLog()}`).toBe(0);
    expect(r.stdout).toMatch(/saved holiday photos \(.*private: decrypted and authenticated\)/);
    expect(tree(join(out, 'holiday photos'))).toEqual(tree(src));
    // Only the real files are left: the sealed copy it downloaded is gone.
    expect(readdirSync(out)).toEqual(['holiday photos']);
  }, 60_000);

  it('what the swarm carries is ciphertext: the seeder\'s sealed file holds no window of any file, nor their names', async () => {
    const [sealedName] = readdirSync(join(sealedTmp, 'tabswarm-sealed'));
    expect(sealedName).toMatch(/^tabswarm-private-[0-9a-f]{16}$/);
    const sealed = readFileSync(join(sealedTmp, 'tabswarm-sealed', sealedName!));
    for (const f of ['day 1/beach.jpg', 'notes.txt']) expect(holdsPlaintext(sealed, readFileSync(join(src, f))), f).toBe(false);
    for (const name of ['beach.jpg', 'notes.txt', 'holiday photos']) expect(sealed.includes(Buffer.from(name)), name).toBe(false);
  });

  it('a wrong key is named as such (exit 2), and nothing is saved', async () => {
    const wrong = link.replace(/x\.tsk=[A-Za-z0-9_-]+/, `x.tsk=${encodeLinkKey(newLinkKey())}`);
    const out = join(work, 'wrong');
    const r = await runCliAsync(['get', wrong, '-o', out, '--timeout', '20']);
    expect(r.status, `${r.stderr}\nseeder: ${seederLog()}`).toBe(2);
    expect(r.stderr).toMatch(/No peer of this private share accepted this link's key within 20 s: (the one connection was|all \d+ connections were) refused .* Copy the whole link again/);
    expect(existsSync(join(out, 'holiday photos'))).toBe(false);
  }, 60_000);

  it('a missing key is named as such (exit 2): the link lacks the part after "#"', async () => {
    const r = await runCliAsync(['get', link.replace(/&x\.tsk=[^&]+/, ''), '-o', join(work, 'nokey'), '--timeout', '20']);
    expect(r.status, `${r.stderr}\nseeder: ${seederLog()}`).toBe(2);
    expect(r.stderr).toMatch(/This is a private share, and the link you opened lacks its key .*\[PRIVATE_KEY_MISSING\]/);
  }, 60_000);

  it('a tracker that rewrites the fingerprints in relayed SDP gets refused connections and a clear message; the same relay unaltered works', async () => {
    const honest = await middleTracker(tracker, false);
    const ok = await runCliAsync(['get', withoutTrackers(link), '--tracker', honest.url, '-o', join(work, 'via-relay'), '--timeout', '20']);
    await honest.close();
    expect(ok.status, `${ok.stderr}\nseeder: ${seederLog()}`).toBe(0);
    expect(tree(join(work, 'via-relay', 'holiday photos'))).toEqual(tree(src));

    const attacker = await middleTracker(tracker, true);
    const before = seederLog().length;
    const r = await runCliAsync(['get', withoutTrackers(link), '--tracker', attacker.url, '-o', join(work, 'mitm'), '--timeout', '20']);
    await attacker.close();
    expect(attacker.rewritten()).toBeGreaterThan(0);
    expect(r.status).toBe(2); // no connection was ever made
    expect(r.stderr).toMatch(/Refused a peer's connection (offer|answer) for private share [0-9a-f]{8}…: its DTLS fingerprint is not signed with this link's key\. Either the peer's key and ours differ \(one of the links is not whole\), or the signalling server altered the (offer|answer) to intercept the connection/);
    expect(r.stderr).toMatch(/if it is whole, the signalling server \(ws:\/\/127\.0\.0\.1:\d+\) is altering connections/);
    // The seeder refused the altered answers and offers too.
    expect(seederLog().slice(before)).toMatch(/Refused a peer's connection (answer|offer)/);
    expect(existsSync(join(work, 'mitm', 'holiday photos'))).toBe(false);
  }, 90_000);

  it('a link with an expiry: the seeder stops sharing then and says so; get of the link afterwards names the expiry', async () => {
    const file = join(work, 'src', 'short-lived.txt');
    writeFileSync(file, 'gone soon\n'.repeat(10_000));
    const child = spawn(process.execPath, [CLI, 'seed', file, '--private', '--expires', '30s', '--tracker', tracker], { env: { ...process.env, TMPDIR: sealedTmp } });
    children.push(child);
    let log = '';
    let out = '';
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    // The link it printed carries the expiry, and the seeder left at it, cleanly.
    const link = out.split('\n').find((l) => l.startsWith('magnet:'))!;
    expect(link, log).toMatch(/&x\.tse=\d{10}&x\.tsk=/);
    expect(code, log).toBe(0);
    expect(log).toMatch(/the link's expiry has come: stopped sharing \(This link expired at \d{4}-\d\d-\d\dT/);
    const r = await runCliAsync(['get', link, '-o', join(work, 'expired'), '--timeout', '20']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/This link expired at .*: its sharer set it to stop being shared then, and it no longer is\. Ask them for a new link\. \[LINK_EXPIRED\]/);
  }, 90_000);

  it('when the sharer allows relays, a peer without the key carries the ciphertext (and cannot open it), and a key-holder completes from it with the sharer gone', async () => {
    const dir = join(work, 'src', 'relayed');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'talk.bin'), randomBytes(900_000));
    const sharer = spawn(process.execPath, [CLI, 'seed', dir, '--private', '--allow-relays', '--tracker', tracker], { env: { ...process.env, TMPDIR: sealedTmp } });
    children.push(sharer);
    let sharerLog = '';
    let sharerOut = '';
    sharer.stderr!.on('data', (c: Buffer) => (sharerLog += c.toString()));
    sharer.stdout!.on('data', (c: Buffer) => (sharerOut += c.toString()));
    await until(() => /relay link .*\nmagnet:\S+\n/.test(sharerLog) && sharerOut.includes('magnet:'), 60_000).catch((e: Error) => {
      throw new Error(`${e.message}\nsharer's stderr: ${sharerLog}\nstdout: ${sharerOut}`);
    });
    const full = sharerOut.split('\n').find((l) => l.startsWith('magnet:'))!;
    const relayLink = /relay link .*\n(magnet:\S+)\n/.exec(sharerLog)![1]!;
    expect(full).toMatch(/&x\.tsr=1&x\.tsk=/);
    expect(relayLink).toMatch(/&x\.tsr=1$/);

    const relayDir = join(work, 'relay');
    const relay = spawn(process.execPath, [CLI, 'get', relayLink, '-o', relayDir, '--seed', '--timeout', '20']);
    children.push(relay);
    let relayLog = '';
    relay.stderr!.on('data', (c: Buffer) => (relayLog += c.toString()));
    await until(() => relayLog.includes('seeding; Ctrl-C to stop'), 60_000);
    expect(relayLog).toMatch(/this is a private share's ciphertext: you can relay it \(--seed\) but not open it/);
    const [sealedName] = readdirSync(relayDir);
    expect(sealedName).toMatch(/^tabswarm-private-[0-9a-f]{16}$/);
    expect(holdsPlaintext(readFileSync(join(relayDir, sealedName!)), readFileSync(join(dir, 'talk.bin')))).toBe(false);

    // The sharer leaves; only the relay holds the share.
    const gone = new Promise((r) => sharer.once('exit', r));
    sharer.kill('SIGTERM');
    await gone;
    const r = await runCliAsync(['get', full, '-o', join(work, 'from-relay'), '--timeout', '20']);
    relay.kill('SIGTERM');
    expect(r.status, `${r.stderr}\nrelay: ${relayLog}`).toBe(0);
    expect(tree(join(work, 'from-relay', 'relayed'))).toEqual(tree(dir));
  }, 120_000);

  it('create --private seals a file beside its .torrent; seed --torrent --key serves it; get saves it byte-exact', async () => {
    const file = join(work, 'src', 'talk.webm');
    writeFileSync(file, randomBytes(700_000));
    const torrent = join(work, 'made', 'talk.torrent');
    mkdirSync(join(work, 'made'));
    const made = await runCliAsync(['create', file, '--private', '-o', torrent, '--json']);
    expect(made.status, made.stderr).toBe(0);
    const summary = JSON.parse(made.stdout) as { magnet: string; sealed: string; name: string };
    expect(summary.magnet).toMatch(/&x\.tsk=[A-Za-z0-9_-]{43}$/);
    expect(summary.name).toMatch(/^tabswarm-private-[0-9a-f]{16}$/);
    expect(holdsPlaintext(readFileSync(summary.sealed), readFileSync(file))).toBe(false);
    // The .torrent carries the contents list, sealed: viewers read the name with the metadata, nobody else reads it.
    const torrentBytes = readFileSync(torrent);
    expect(sealedContentsOf(parseTorrent(torrentBytes).infoBytes)).not.toBeNull();
    expect(torrentBytes.includes(Buffer.from('talk.webm'))).toBe(false);
    // A key that is not this share's is refused before any link is printed. This one begins with
    // "-" (first byte 0b111110xx), as one base64url key in 64 does: it is still read as --key's value.
    const dashKey = newLinkKey();
    dashKey[0] = 0xf8;
    expect(encodeLinkKey(dashKey)).toMatch(/^-/);
    const bad = await runCliAsync(['seed', summary.sealed, '--torrent', torrent, '--key', encodeLinkKey(dashKey), '--tracker', tracker]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/key does not open the share/);
    const { link: served } = await seed([summary.sealed, '--torrent', torrent, '--key', summary.magnet, '--tracker', tracker]);
    expect(served).toMatch(new RegExp(`x\\.tsk=${/x\.tsk=([A-Za-z0-9_-]+)/.exec(summary.magnet)![1]}`));
    const r = await runCliAsync(['get', served, '-o', join(work, 'talk'), '--timeout', '20']);
    expect(r.status, r.stderr).toBe(0);
    expect(createHash('sha256').update(readFileSync(join(work, 'talk', 'talk.webm'))).digest('hex')).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
  }, 90_000);
});
