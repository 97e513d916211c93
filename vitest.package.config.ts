import { defineConfig } from 'vitest/config';

// `npm run test:package`: packs and installs the package (test/package/), alone, because packing
// rebuilds dist/ and lib/ that the other Vitest files read.
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 60_000,
  },
});
