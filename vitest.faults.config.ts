import { defineConfig } from 'vitest/config';

// `npm run test:faults`: real server processes killed, doubled, cut off from their database or
// out of disk in the middle of bursts of bids (test/faults). One file at a time: each runs
// servers and a PostgreSQL of its own, and one restarts it.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/helpers/faults-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
