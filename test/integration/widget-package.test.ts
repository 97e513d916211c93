/** The widget is also an ES module of the package: a bundler resolves `tabswarm/widget` and builds it. */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { describe, expect, it } from 'vitest';

describe('tabswarm/widget for bundlers', () => {
  it('resolves through the package exports and bundles the <tabswarm-file> element', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'tabswarm-consumer-'));
    await build({
      configFile: false,
      logLevel: 'silent',
      root: fileURLToPath(new URL('../fixtures/bundler-consumer', import.meta.url)),
      build: { outDir, lib: { entry: 'main.ts', formats: ['es'], fileName: () => 'site.js' }, minify: false },
    });
    const files = readdirSync(outDir);
    expect(files).toContain('site.js');
    const code = readFileSync(join(outDir, 'site.js'), 'utf8');
    expect(code).toContain('customElements.define("tabswarm-file"');
    expect(code).toMatch(/TabswarmFile = class extends LitElement|class TabswarmFile extends LitElement/);
  }, 60_000);
});
