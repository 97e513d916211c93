// `npm start` serves dist/: build it when it is missing or older than the client sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const built = 'dist/index.html';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const stale = !existsSync(built) || !existsSync('dist/tabswarm-file.js') || Math.max(newestMtime('client'), newestMtime('shared')) > statSync(built).mtimeMs;
if (stale) {
  process.stderr.write('Building the web app (dist/)…\n');
  for (const mode of [[], ['--mode', 'widget']]) execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', ...mode, '--logLevel', 'warn'], { stdio: 'inherit' });
}
