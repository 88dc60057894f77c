import { configDefaults, defineConfig } from 'vitest/config';

// Two projects. `unit`: no network and no child processes (src/testing/unit-isolation.ts makes either
// fail the test), so `npm run test:unit` stays fast. `e2e`: the files named *.e2e.test.ts — tests that
// spawn the CLI, kill processes, listen on sockets or talk HTTP to a local server (the fake
// OpenAI-compatible one included), and whole-runtime scenarios. `npm test` runs both.
const E2E = 'src/**/*.e2e.test.ts';

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          // bench/: tests of the benchmarks' pure helpers (no timing).
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: [...configDefaults.exclude, E2E],
          setupFiles: ['src/testing/unit-isolation.ts'],
          // One module graph per worker rather than per file: importing the runtime's graph again for
          // every file cost more CPU than the tests themselves. Tests that fake timers restore them.
          isolate: false,
          // Vitest's default is one worker less than the cores, a single one on a 2-core machine; unit
          // tests start no processes of their own, so they get every core.
          maxWorkers: '100%',
          // Projects with different worker counts run one after the other: unit first, the fast feedback.
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: [E2E], sequence: { groupOrder: 1 } },
      },
    ],
  },
});
