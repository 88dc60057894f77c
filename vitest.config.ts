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
          include: ['src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, E2E],
          setupFiles: ['src/testing/unit-isolation.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: [E2E] },
      },
    ],
  },
});
