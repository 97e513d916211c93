/** `npm start` (built into lib/serve.js): run the server until SIGTERM/SIGINT, then exit 0. */
import { runServer, ServerStartError } from './run.ts';

try {
  await runServer();
  process.exit(0);
} catch (err) {
  if (!(err instanceof ServerStartError)) throw err;
  process.stderr.write(`tabswarm server: ${err.message}\n`);
  process.exit(err.exitCode);
}
