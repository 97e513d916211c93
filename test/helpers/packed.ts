/**
 * The package as a user installs it: `npm pack` (which builds it through `prepack`) and the tarball
 * installed into an empty folder. Used by the package test and by bench:cli.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

export interface PackedInstall {
  /** A scratch folder holding the tarball and the consumer. */
  work: string;
  tarball: string;
  /** The consumer project: package.json with "type": "module", and node_modules/tabswarm. */
  consumer: string;
  /** node_modules/tabswarm inside the consumer. */
  installed: string;
  /** The installed `tabswarm` command (node_modules/.bin/tabswarm). */
  bin: string;
}

export function packAndInstall(): PackedInstall {
  const work = mkdtempSync(join(tmpdir(), 'tabswarm-pack-'));
  execFileSync('npm', ['pack', '--pack-destination', work, ...NPM_QUIET], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const name = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!name) throw new Error(`npm pack wrote no tarball into ${work}`);
  const consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  // --prefer-offline: the dependencies are in npm's cache already (npm ci put them there).
  execFileSync('npm', ['install', '--prefer-offline', ...NPM_QUIET, join(work, name)], { cwd: consumer, stdio: ['ignore', 'ignore', 'inherit'] });
  return { work, tarball: join(work, name), consumer, installed: join(consumer, 'node_modules', 'tabswarm'), bin: join(consumer, 'node_modules', '.bin', 'tabswarm') };
}
