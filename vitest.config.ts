import { defineConfig } from 'vitest/config';

// Unit, property and integration tests. Playwright's specs (test/browser/*.spec.ts) are not
// Vitest's; the package test (test/package/) runs alone, through vitest.package.config.ts.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/package/**', '**/node_modules/**'],
    testTimeout: 30_000,
    // expect.poll waits for an event, not a duration: a busy machine may take far longer than
    // the default second to deliver it (a seek's re-request failed so under load).
    expect: { poll: { timeout: 15_000 } },
  },
});
