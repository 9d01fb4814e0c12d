import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default defineConfig({
  root,
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Two test files at a time: on the 2-core machines of CI, Vitest's default (cores − 1) ran one
    // file after the other while each waited on PostgreSQL and its server half the time
    // (a sample of 10 files: 118 s with one worker, 85 s with two, 86 s with three).
    maxWorkers: 2,
    // Each test file gets its own database and its own server; argon2 and PGlite start-up
    // make a generous timeout kinder than flaky failures on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test', LOG_LEVEL: process.env.LOG_LEVEL ?? 'error' },
  },
});
