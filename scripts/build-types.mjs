// The package's type declarations: tsc writes lib/types/ (tsconfig.types.json); then relative
// imports are renamed from .ts to .js — our sources import with .ts extensions, and a consumer's
// TypeScript resolves "./x.js" to the x.d.ts beside it under every moduleResolution, which ".ts"
// does not.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'lib', 'types');

export function buildTypes() {
  rmSync(out, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.types.json')], { stdio: 'inherit' });
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (path.endsWith('.d.ts')) {
        const text = readFileSync(path, 'utf8');
        const renamed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g, '$1$2.js$3');
        if (renamed !== text) writeFileSync(path, renamed);
      }
    }
  };
  walk(out);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildTypes();
