// e2e: the shell-isolation check runs bubblewrap, and unit tests start no child process.
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../runtime/index.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import type { CliIo } from './cli-io.js';
import type { DoctorCheck } from './doctor-checks.js';
import { runCli } from './main.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(options: Parameters<typeof createTestRuntimeOptions>[0] = {}): TestRuntimeOptions {
  const built = createTestRuntimeOptions(options);
  cleanups.push(() => built.cleanup());
  return built;
}

async function doctor(
  env: TestRuntimeOptions,
): Promise<{ code: number; checks: DoctorCheck[]; text: string }> {
  let stdout = '';
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined } };
  const code = await runCli(['doctor', '--json'], { io, runtime: env.options });
  let text = '';
  const plain: CliIo = { stdout: { write: (t: string) => (text += t) }, stderr: { write: () => undefined } };
  await runCli(['doctor'], { io: plain, runtime: env.options });
  return { code, checks: (JSON.parse(stdout) as { checks: DoctorCheck[] }).checks, text };
}

const byName = (checks: DoctorCheck[], name: string) => checks.find((check) => check.name === name);

describe('agentd doctor', () => {
  it('reports every check ok on a fresh home, with shell isolation stated either way', async () => {
    const env = setup();
    const { code, checks, text } = await doctor(env);
    expect(code).toBe(0);
    expect(checks.map((c) => c.name)).toEqual([
      'node',
      'config',
      'default model',
      'database',
      'home',
      'memory',
      'shell isolation',
      'port',
      'interrupted tasks',
      'workspaces',
    ]);
    expect(byName(checks, 'database')).toMatchObject({
      level: 'ok',
      detail: expect.stringContaining('mode 600'),
    });
    expect(byName(checks, 'shell isolation')?.detail).toMatch(/bubblewrap|isolation/);
    expect(text).toMatch(/^ok +node: /m);
  });

  it('warns about a database other users can read and about interrupted tasks, and fails on a config problem', async () => {
    const first = setup({ script: [{ waitFor: 'forever' }] });
    const runtime = await createRuntime(first.options);
    const { id } = await runtime.tasks.submit({ prompt: 'never finishes' });
    await until(() => first.model.calls.length === 1, { message: 'the model call' });
    await runtime.close();
    chmodSync(join(first.home, 'agentd.db'), 0o644);

    const env = setup({ home: first.home, config: { server: { authToken: 'env:NOT_SET_ANYWHERE' } } });
    const { code, checks, text } = await doctor(env);
    expect(byName(checks, 'database')).toMatchObject({
      level: 'warn',
      fix: expect.stringContaining('chmod 600'),
    });
    expect(byName(checks, 'interrupted tasks')).toMatchObject({
      level: 'warn',
      detail: expect.stringContaining(id),
    });
    expect(byName(checks, 'config')).toMatchObject({
      level: 'fail',
      detail: expect.stringContaining('NOT_SET_ANYWHERE'),
    });
    expect(code).toBe(1);
    expect(text).toMatch(/^FAIL {2}config: /m);
    expect(text).toContain('fix: agentd tasks resume');
  });
});
