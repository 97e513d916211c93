import { defineConfig } from 'vitest/config';

// Only unit and property tests: Playwright's specs (test/browser/*.spec.ts) are not Vitest's.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
  },
});
