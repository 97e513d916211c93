/** The CLI as a user runs it: exit codes, one-line errors, JSON shape, progress on stderr. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'tabswarm-cli-'));

describe('tabswarm create / info', () => {
  it('creates a folder torrent whose info round-trips with the same fields', () => {
    const dir = tmp();
    const src = join(dir, 'photos');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'a.jpg'), randomBytes(300_000));
    writeFileSync(join(src, 'sub', 'b.jpg'), randomBytes(5));
    const created = runCli(['create', src, '-o', join(dir, 'p.torrent'), '--announce', 'ws://localhost:8080', '--announce', 'wss://t.example', '--json']);
    expect(created.status).toBe(0);
    const summary = JSON.parse(created.stdout);
    expect(Object.keys(summary)).toEqual(['infoHash', 'magnet', 'name', 'length', 'pieceLength', 'pieces', 'files']);
    expect(summary).toMatchObject({ name: 'photos', length: 300_005, pieceLength: 262_144, pieces: 2, files: [{ path: 'a.jpg', length: 300_000 }, { path: 'sub/b.jpg', length: 5 }] });
    expect(summary.magnet).toBe(`magnet:?xt=urn:btih:${summary.infoHash}&dn=photos&tr=ws%3A%2F%2Flocalhost%3A8080&tr=wss%3A%2F%2Ft.example`);
    const info = runCli(['info', join(dir, 'p.torrent'), '--json']);
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout)).toEqual(summary);
    const human = runCli(['info', join(dir, 'p.torrent')]);
    expect(human.stdout).toContain(`info hash:  ${summary.infoHash}`);
  });

  it('writes NAME.torrent in the working directory by default', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'x.bin'), 'hello');
    const r = runCli(['create', 'x.bin'], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'x.bin.torrent')).subarray(0, 1).toString()).toBe('d');
    expect(r.stdout).toMatch(/magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=x.bin/);
  });

  it('shows hashing progress on stderr for large inputs', () => {
    const dir = tmp();
    const big = join(dir, 'big.bin');
    writeFileSync(big, randomBytes(12 * 1024 * 1024));
    const r = runCli(['create', big, '-o', join(dir, 'big.torrent'), '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/hashing 0%/);
    expect(r.stderr).toMatch(/hashing 100% \(12\.0 MiB\/12\.0 MiB\)/);
    // stdout stays machine-readable.
    expect(JSON.parse(r.stdout).pieces).toBe(48);
  });

  it.each([
    [['create'], /missing PATH/],
    [['create', '/definitely/not/here'], /No such file or folder: \/definitely\/not\/here \[INPUT_NOT_FOUND\]/],
    [['info', '/definitely/not/here.torrent'], /No such file: .* \[INPUT_NOT_FOUND\]/],
    [['info', 'package.json'], /Invalid torrent: not valid bencode .*\[TORRENT_INVALID\]/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['create', '.', '--bogus'], /Unknown option '--bogus'/],
    [[], /missing command/],
  ])('%j fails with exit 2 and one line, no stack', (args, message) => {
    const r = runCli(args as string[]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('refuses an unsafe torrent with exit 2', () => {
    const dir = tmp();
    const evil = join(dir, 'evil.torrent');
    const pieces = 'x'.repeat(20);
    writeFileSync(evil, `d4:infod5:filesld6:lengthi1e4:pathl2:..6:passwdeee4:name1:x12:piece lengthi262144e6:pieces20:${pieces}ee`);
    const r = runCli(['info', evil]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/TORRENT_UNSAFE_PATH/);
  });

  it('hashes the same bytes node:crypto does (sanity of the piece layout)', () => {
    const dir = tmp();
    const data = randomBytes(100);
    writeFileSync(join(dir, 'small'), data);
    const r = runCli(['create', join(dir, 'small'), '-o', join(dir, 's.torrent'), '--json']);
    const torrent = readFileSync(join(dir, 's.torrent'));
    const expected = createHash('sha1').update(data).digest();
    expect(torrent.includes(expected)).toBe(true);
    expect(r.status).toBe(0);
  });
});

describe('tabswarm --version and help', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

  it.each([['--version'], ['-v'], ['version']])('%s prints the name and version', (flag) => {
    expect(runCli([flag])).toMatchObject({ status: 0, stdout: `Tabswarm ${pkg.version}\n`, stderr: '' });
  });

  it('--help lists every command; COMMAND --help and help COMMAND print that command\'s options only', () => {
    const all = runCli(['--help']);
    expect(all.status).toBe(0);
    for (const c of ['create', 'info', 'seed', 'get', 'serve']) expect(all.stdout).toContain(`  tabswarm ${c}`);
    for (const args of [['seed', '--help'], ['seed', 'x', '-h'], ['help', 'seed']]) {
      const r = runCli(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^tabswarm seed PATH/);
      expect(r.stdout).toContain('--no-initial-seeding');
      expect(r.stdout).not.toContain('tabswarm get');
    }
    // After "--", --help is an argument (a file may be called that), not a request for help.
    expect(runCli(['create', '--', '--help']).stderr).toMatch(/INPUT_NOT_FOUND|No such/);
    expect(runCli(['help', 'frob'])).toMatchObject({ status: 2, stderr: 'tabswarm: no help on "frob": the commands are create, info, seed, get, serve (see "tabswarm --help")\n' });
  });

  it('serve refuses arguments and a bad setting with exit 2 and one line', () => {
    expect(runCli(['serve', 'extra'])).toMatchObject({ status: 2 });
    const bad = runCli(['serve'], undefined, { MAX_SWARMS_PER_SOCKET: 'lots' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tabswarm: MAX_SWARMS_PER_SOCKET=lots is not a whole number from 1 to 9007199254740991.\n');
  });
});

describe('--expires', () => {
  it('takes a duration or a date and time, and refuses one in the past or without --private', async () => {
    const { parseExpiry } = await import('../../client/cli/swarm-args.ts');
    const now = Date.UTC(2026, 11, 3, 12, 0, 0);
    expect(parseExpiry('90s', now)).toBe(now + 90_000);
    expect(parseExpiry('30m', now)).toBe(now + 1_800_000);
    expect(parseExpiry('12h', now)).toBe(now + 43_200_000);
    expect(parseExpiry('7d', now)).toBe(now + 604_800_000);
    expect(parseExpiry('2026-12-31T18:00Z', now)).toBe(Date.UTC(2026, 11, 31, 18, 0));
    expect(() => parseExpiry('2020-01-01T00:00Z', now)).toThrow(/is not in the future/);
    expect(() => parseExpiry('soonish', now)).toThrow(/--expires takes a duration \(90s, 30m, 12h, 7d\) or a date and time/);
    const dir = tmp();
    writeFileSync(join(dir, 'a.txt'), 'a');
    const r = runCli(['create', join(dir, 'a.txt'), '--expires', '1h', '-o', join(dir, 'a.torrent')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--expires is for private links: add --private/);
    const ok = runCli(['create', join(dir, 'a.txt'), '--private', '--expires', '1h', '-o', join(dir, 'a.torrent'), '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    const at = Number(/x\.tse=(\d+)/.exec(JSON.parse(ok.stdout).magnet)![1]) * 1000;
    expect(at).toBeGreaterThan(Date.now());
  });
});
