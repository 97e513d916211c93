// `npm start` runs lib/serve.js and serves dist/: build either when it is missing or older than the
// sources it comes from (a fresh clone, an edit). An installed package ships both, built.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { buildNode } from './build-node.mjs';
import { newestMtime } from './lib/newest-mtime.mjs';

const newest = (...dirs) => Math.max(...dirs.filter((d) => existsSync(d)).map((d) => newestMtime(d)));
const builtAt = (...files) => (files.every((f) => existsSync(f)) ? Math.min(...files.map((f) => statSync(f).mtimeMs)) : -Infinity);

if (builtAt('dist/index.html', 'dist/tabswarm-file.js', 'dist/tabswarm-sw.js') < newest('client', 'shared')) {
  process.stderr.write('Building the web app (dist/)…\n');
  for (const mode of [[], ['--mode', 'widget'], ['--mode', 'sw']]) execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', ...mode, '--logLevel', 'warn'], { stdio: 'inherit' });
}
if (builtAt('lib/serve.js', 'lib/cli.js') < newest('client', 'shared', 'signal-server')) {
  process.stderr.write('Building the server and CLI (lib/)…\n');
  await buildNode();
}
