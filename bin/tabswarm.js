#!/usr/bin/env node
// The CLI is compiled JavaScript (lib/cli.js, built by `npm run build`); starting it compiles
// nothing. In a checkout of the sources (client/ beside this folder), a bundle that is missing or
// older than them is rebuilt first, about a tenth of a second; an installed package has no
// sources and runs its bundle as shipped.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'lib', 'cli.js');

if (existsSync(join(root, 'client'))) {
  const { newestMtime } = await import(pathToFileURL(join(root, 'scripts', 'lib', 'newest-mtime.mjs')).href);
  const built = existsSync(bundle) ? statSync(bundle).mtimeMs : -Infinity;
  const stale = ['client', 'shared', 'signal-server'].some((d) => existsSync(join(root, d)) && newestMtime(join(root, d)) > built);
  if (stale) {
    const { buildNode } = await import(pathToFileURL(join(root, 'scripts', 'build-node.mjs')).href);
    await buildNode();
  }
}
await import(pathToFileURL(bundle).href);
