import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // type-graphql requires graphql's CommonJS build; make vitest load the same one.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
