/**
 * The server as `npm start` and `tabswarm serve` run it: configuration from the environment, one
 * port, JSON logs, and a clean stop on SIGTERM or SIGINT (clients told we are going away, the store
 * closed). Resolves once stopped; a bad setting or a port in use rejects with a ServerStartError.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';
import { loadConfig } from './load-config.ts';
import { createLogger } from './log.ts';
import { createTabswarmServer } from './server.ts';

/** Exit codes, as documented in the README: 2 a bad setting, 1 cannot listen. */
export const EXIT_BAD_CONFIG = 2;
export const EXIT_CANNOT_LISTEN = 1;

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export async function runServer(env: NodeJS.ProcessEnv = process.env, warn: (line: string) => void = (l) => process.stderr.write(l)): Promise<void> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new ServerStartError(err.message, EXIT_BAD_CONFIG);
    throw err;
  }
  if (!existsSync(join(config.staticDir, 'index.html'))) {
    warn(`tabswarm server: no built app in ${config.staticDir}; run "npm run build" (npm start does it for you).\n`);
  }
  const log = createLogger(config.logLevel);
  const server = createTabswarmServer(config, { log });
  try {
    const port = await server.listen();
    log.info('listening', { url: `http://localhost:${port}`, host: config.host, port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? `port ${config.port} is in use; set PORT to another port` : String(err);
    throw new ServerStartError(`cannot listen: ${hint}`, EXIT_CANNOT_LISTEN);
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting_down', { signal });
      void server.close().then(() => {
        log.info('stopped');
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
