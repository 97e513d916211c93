/** `npm start`: load the config from the environment, serve, and shut down cleanly on SIGTERM/SIGINT. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
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

const server = createTabswarmServer(config);
try {
  const port = await server.listen();
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://localhost:${port}`, host: config.host, port })}\n`);
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
    void server.close().then(() => process.exit(0));
  });
}
