import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the fault tests and the browser tests run apart: npm run test:faults, npm run test:e2e
    exclude: [...configDefaults.exclude, 'test/faults/**', 'test/browser/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    // set-ups that take a recruitment through an opening and an evaluation hash many passwords
    hookTimeout: 180_000,
    // two cores: each worker holds its own embedded database
    maxWorkers: 2,
  },
});
