import { defineConfig } from '@playwright/test';

/** A port of its own, so a developer's `npm start` on 8080 does not collide with the tests. */
export const TEST_PORT = Number(process.env.TABSWARM_TEST_PORT ?? 8181);

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '**/*.spec.ts',
  // Two cores: tabs of one swarm already compete for them.
  workers: 1,
  timeout: 60_000,
  reporter: process.env.CI ? 'list' : 'list',
  use: {
    baseURL: `http://localhost:${TEST_PORT}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: {
    command: `node --import tsx signal-server/main.ts`,
    env: { PORT: String(TEST_PORT), HOST: '127.0.0.1' },
    url: `http://localhost:${TEST_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
  },
});
