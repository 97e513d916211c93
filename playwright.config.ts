import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium.ts';

/** A port of its own, so a developer's `npm start` on 8080 does not collide with the tests. */
export const TEST_PORT = Number(process.env.TABSWARM_TEST_PORT ?? 8181);

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.spec.ts',
  // Two cores: tabs of one swarm already compete for them.
  workers: 1,
  timeout: 60_000,
  reporter: 'list',
  use: {
    baseURL: `http://localhost:${TEST_PORT}`,
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
  },
  webServer: {
    command: `node lib/serve.js`,
    // A store, so the app offers "Keep available after I close this tab" (keep-available.spec.ts).
    env: { PORT: String(TEST_PORT), HOST: '127.0.0.1', STORE_DIR: join(tmpdir(), `tabswarm-playwright-store-${TEST_PORT}`) },
    url: `http://localhost:${TEST_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
