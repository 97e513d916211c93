#!/usr/bin/env node
// The CLI runs as compiled JavaScript (dist/cli/, built by `npm run build` with esbuild). When that
// bundle is missing or older than the TypeScript it comes from — a fresh clone, an edit — it is
// rebuilt first (about a tenth of a second); where it cannot be written, the sources run through tsx.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestMtime } from '../scripts/lib/newest-mtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'cli', 'tabswarm.js');

function fresh() {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return ['client', 'shared'].every((d) => !existsSync(join(root, d)) || newestMtime(join(root, d)) <= built);
}

let entry = bundle;
if (!fresh()) {
  try {
    const { buildCli } = await import(pathToFileURL(join(root, 'scripts', 'build-cli.mjs')).href);
    await buildCli();
  } catch {
    const { register } = await import('tsx/esm/api');
    register();
    entry = join(root, 'client', 'cli', 'main.ts');
  }
}
await import(pathToFileURL(entry).href);
