/**
 * Debian's coturn as the TURN relay (and STUN server) for tests: one turnserver on a port of its
 * own, with coturn's REST-API shared secret (`use-auth-secret`), the mode our server's /config
 * hands out credentials for. No TLS, no CLI, its database and pid under a temporary folder.
 * `prefix` runs it inside a network namespace (`['ip', 'netns', 'exec', NS]`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process.ts';

export const TURNSERVER = '/usr/bin/turnserver';
/** coturn prints this once its listeners and relays are set up. */
const READY_LINE = 'Total General servers';
const READY_TIMEOUT_MS = 20_000;

export interface Coturn {
  /** turn:IP:PORT (UDP and TCP). */
  url: string;
  stunUrl: string;
  port: number;
  secret: string;
  /** What coturn logged (allocations, refusals): tests read it to see who was relayed. */
  log(): string;
  stop(): Promise<void>;
}

export interface CoturnOptions {
  /** The address it listens and relays on (default 127.0.0.1). */
  ip?: string;
  port?: number;
  secret?: string;
  /** Run it through this command (a network namespace). */
  prefix?: string[];
}

export async function startCoturn(opts: CoturnOptions = {}): Promise<Coturn> {
  const ip = opts.ip ?? '127.0.0.1';
  const port = opts.port ?? (await freePort());
  const secret = opts.secret ?? `secret-${Math.random().toString(36).slice(2)}`;
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-coturn-'));
  const args = [
    '-n', '--no-cli', '--no-tls', '--no-dtls', '--no-software-attribute',
    `--listening-ip=${ip}`, `--listening-port=${port}`, `--relay-ip=${ip}`,
    '--min-port=49160', '--max-port=49660',
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=tabswarm.test',
    // Loopback peers: on one machine every relayed address is a loopback one.
    ...(ip.startsWith('127.') ? ['--allow-loopback-peers'] : []),
    '--log-file=stdout', '--simple-log', `--pidfile=${join(dir, 'pid')}`, `--userdb=${join(dir, 'turndb')}`, '-v',
  ];
  const [cmd, ...pre] = [...(opts.prefix ?? []), TURNSERVER];
  const child = spawn(cmd!, [...pre, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coturn did not start within ${READY_TIMEOUT_MS} ms:\n${out}`)), READY_TIMEOUT_MS);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes(READY_LINE)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`coturn exited (${code}) before it was ready:\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await ready;
  return {
    url: `turn:${ip}:${port}`,
    stunUrl: `stun:${ip}:${port}`,
    port,
    secret,
    log: () => out,
    async stop() {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
