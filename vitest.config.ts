import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // A worker runs its files one after another in one module graph: src/ and its dependencies
    // are loaded (and their schemas compiled) once per worker, not once per file. Each file
    // still starts its own servers over its own databases; no test mocks modules.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // The machines have two cores; more workers only add contention.
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
  },
});
