/** Starts a real signal server on a free port for a test, and stops it after. */
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerConfig } from '../../signal-server/config.ts';
import { loadConfig } from '../../signal-server/load-config.ts';
import { silentLogger } from '../../signal-server/log.ts';
import { createTabswarmServer, type ServerDeps, type TabswarmServer } from '../../signal-server/server.ts';

export interface RunningServer {
  server: TabswarmServer;
  port: number;
  httpUrl: string;
  wsUrl: string;
  staticDir: string;
}

/** A tiny built app, so static tests do not depend on `vite build` having run. */
export function fakeStaticDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tabswarm-static-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Tabswarm</title>');
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'assets', 'app-123.js'), 'console.log(1)');
  return dir;
}

export async function startServer(overrides: Partial<ServerConfig> = {}, env: NodeJS.ProcessEnv = {}, deps: ServerDeps = {}): Promise<RunningServer> {
  const staticDir = overrides.staticDir ?? fakeStaticDir();
  const config = { ...loadConfig(env), port: 0, host: '127.0.0.1', staticDir, ...overrides };
  const server = createTabswarmServer(config, { log: silentLogger, ...deps });
  const port = await server.listen();
  return { server, port, httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}`, staticDir };
}
