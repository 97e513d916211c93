// The CLI as plain JavaScript: client/cli/main.ts and what it imports, bundled by esbuild into
// dist/cli/ (npm packages stay external imports), so starting `tabswarm` compiles nothing.
// `npm run build` runs this; bin/tabswarm.js runs it too when the bundle is missing or older than
// the sources it was built from.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const CLI_OUT_DIR = fileURLToPath(new URL('../dist/cli/', import.meta.url));
export const CLI_ENTRY = fileURLToPath(new URL('../client/cli/main.ts', import.meta.url));

export async function buildCli() {
  await build({
    entryPoints: { tabswarm: CLI_ENTRY },
    outdir: CLI_OUT_DIR,
    bundle: true,
    // Commands load the WebRTC stack on demand: keep them in chunks of their own.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
