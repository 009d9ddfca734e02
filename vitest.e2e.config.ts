import { defineConfig } from 'vitest/config';

// `npm run test:e2e`: the pages in a real browser (Chromium through playwright-core) against the
// real server started as `npm start` starts it (test/browser). One server, one browser.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
