// `npm start` serves dist/: build it when it is missing or older than the client sources.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { newestMtime } from './lib/newest-mtime.mjs';

const built = 'dist/index.html';

const stale = !existsSync(built) || !existsSync('dist/tabswarm-file.js') || Math.max(newestMtime('client'), newestMtime('shared')) > statSync(built).mtimeMs;
if (stale) {
  process.stderr.write('Building the web app (dist/)…\n');
  for (const mode of [[], ['--mode', 'widget']]) execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', ...mode, '--logLevel', 'warn'], { stdio: 'inherit' });
}
