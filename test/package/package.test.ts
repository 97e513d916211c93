/**
 * The package as a user gets it: `npm pack` (which builds it through `prepack`), the tarball
 * installed into an empty folder, then the CLI run, the engine imported from plain Node, every
 * export type-checked, and the widget bundled. Run by `npm run test:package` (part of `npm test`),
 * apart from the other Vitest files because packing rebuilds dist/ and lib/, which they use.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall, ROOT, type PackedInstall } from '../helpers/packed.ts';
import { waitForLine } from '../helpers/process.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

let packed: PackedInstall;
let work = '';
let consumer = '';
let installed = '';

function run(cmd: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tabswarm = (...args: string[]) => run(process.execPath, [packed.bin, ...args], consumer);

beforeAll(() => {
  packed = packAndInstall();
  ({ work, consumer, installed } = packed);
}, 600_000);

describe('the packed package', () => {
  it('ships compiled JavaScript and declarations, no TypeScript sources, and installs no compiler', () => {
    const files: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name), `${rel}${e.name}/`);
        else files.push(`${rel}${e.name}`);
      }
    };
    walk(installed, '');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    for (const f of ['lib/cli.js', 'lib/serve.js', 'lib/engine.js', 'lib/node.js', 'lib/server.js', 'dist/index.html', 'dist/tabswarm-file.js', 'lib/types/client/engine/index.d.ts']) expect(files).toContain(f);
    for (const devOnly of ['tsx', 'typescript', 'esbuild', 'vite']) expect(existsSync(join(consumer, 'node_modules', devOnly)), `${devOnly} installed`).toBe(false);
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
  });

  it('runs the CLI: --version, --help, a command\'s --help, and a real command', () => {
    const version = tabswarm('--version');
    expect(version).toMatchObject({ status: 0, stdout: `Tabswarm ${pkg.version}\n` });
    const help = tabswarm('--help');
    expect(help.status).toBe(0);
    for (const command of ['create', 'info', 'seed', 'get', 'serve']) expect(help.stdout).toContain(`tabswarm ${command}`);
    const getHelp = tabswarm('get', '--help');
    expect(getHelp.status).toBe(0);
    expect(getHelp.stdout).toMatch(/^tabswarm get MAGNET/);
    expect(getHelp.stdout).toContain('--timeout S');
    expect(getHelp.stdout).not.toContain('tabswarm seed');

    writeFileSync(join(consumer, 'notes.txt'), 'hello from a packed tabswarm\n');
    const created = tabswarm('create', 'notes.txt', '--json');
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'notes.txt', length: 29, pieces: 1 });
    const info = tabswarm('info', 'notes.txt.torrent');
    expect(info.stdout).toContain('notes.txt');

    const bad = tabswarm('frobnicate');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('tabswarm: unknown command "frobnicate" (see "tabswarm --help")\n');
  });

  it('serves the app and the tracker with `tabswarm serve`, and stops cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [packed.bin, 'serve'], { cwd: consumer, env: { ...process.env, PORT: '0', HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const { line } = await waitForLine(child, /"event":"listening"/, 'tabswarm serve');
    const { port } = JSON.parse(line) as { port: number };
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<tabswarm-app');
    expect((await fetch(`http://127.0.0.1:${port}/tabswarm-file.js`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^tabswarm_sockets 0$/m);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('imports the engine, the Node glue and the server from plain Node and runs a swarm with them', () => {
    copyFileSync(join(HERE, 'consumer-swarm.mjs'), join(consumer, 'consumer-swarm.mjs'));
    const r = run(process.execPath, ['consumer-swarm.mjs'], consumer);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result).toEqual({ pieces: 3, same: true, trackerSockets: 2, hostPage: 'the host application' });
  }, 120_000);

  it('type-checks an import of every export (strict, library declarations checked too)', () => {
    copyFileSync(join(HERE, 'consumer-types.ts'), join(consumer, 'consumer-types.ts'));
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          skipLibCheck: false,
          noEmit: true,
          // A Node user has @types/node; borrow ours rather than download it.
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['consumer-types.ts'],
      }),
    );
    const tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
    const r = run(process.execPath, [tsc, '-p', 'tsconfig.json'], consumer);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('bundles the widget into another site\'s script', async () => {
    const out = join(work, 'site.js');
    const result = await build({
      stdin: { contents: "import { TabswarmFile } from 'tabswarm/widget';\nconsole.log(TabswarmFile.name);\n", resolveDir: consumer, loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      outfile: out,
      logLevel: 'silent',
      metafile: true,
    });
    expect(result.errors).toEqual([]);
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((i) => i.endsWith('node_modules/tabswarm/dist/tabswarm-file.js'))).toBe(true);
    expect(readFileSync(out, 'utf8')).toContain('"tabswarm-file"');
  });
});
