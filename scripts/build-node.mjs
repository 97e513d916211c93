// Everything that runs in Node, as plain JavaScript in lib/: the CLI (lib/cli.js), the server as
// `npm start` runs it (lib/serve.js), and the library entries `tabswarm/engine`, `tabswarm/node` and
// `tabswarm/server`. One esbuild build with code splitting, so the entries share one copy of each
// module (an error class is the same class whichever entry it came from); npm packages stay
// imports. `npm run build` runs this; bin/tabswarm.js runs it too in a checkout whose bundle is
// missing or older than its sources. Types come from build-types.mjs.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LIB_DIR = fileURLToPath(new URL('../lib/', import.meta.url));
const src = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export const NODE_ENTRIES = {
  cli: src('client/cli/main.ts'),
  serve: src('signal-server/main.ts'),
  engine: src('client/engine/index.ts'),
  node: src('client/node/index.ts'),
  server: src('signal-server/index.ts'),
};

export async function buildNode() {
  // Stale chunks from an earlier build would otherwise ship with the package.
  for (const old of ['chunks']) rmSync(`${LIB_DIR}${old}`, { recursive: true, force: true });
  await build({
    entryPoints: NODE_ENTRIES,
    outdir: LIB_DIR,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildNode();
