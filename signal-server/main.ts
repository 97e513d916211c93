/** `npm start`: load the config from the environment, serve, and shut down cleanly on SIGTERM/SIGINT. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';
import { loadConfig } from './load-config.ts';
import { createLogger } from './log.ts';
import { createTabswarmServer } from './server.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`tabswarm server: ${err.message}\n`);
  process.exit(2);
}

if (!existsSync(join(config.staticDir, 'index.html'))) {
  process.stderr.write(`tabswarm server: no built app in ${config.staticDir}; run "npm run build" (npm start does it for you).\n`);
}

const log = createLogger(config.logLevel);
const server = createTabswarmServer(config, { log });
try {
  const port = await server.listen();
  log.info('listening', { url: `http://localhost:${port}`, host: config.host, port });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'EADDRINUSE' ? `port ${config.port} is in use; set PORT to another port` : String(err);
  process.stderr.write(`tabswarm server: cannot listen: ${hint}\n`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('shutting_down', { signal });
    void server.close().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  });
}
