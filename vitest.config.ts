import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**'],
    testTimeout: 60_000,
    // one test file per core: vitest's default leaves a core to its main process (one worker on a
    // 2-core machine), which waits on the workers nearly all the time
    maxWorkers: availableParallelism(),
    // compiles every test program once, up front, into a content-keyed cache (build/test-cache)
    globalSetup: ['tests/setup/global.ts'],
    // every machine a test boots through the CLI runs the kernel's invariant checker (mlk.check=1)
    env: { MLK_CHECK: '1' },
  },
});
