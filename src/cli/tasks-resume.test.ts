import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRuntime } from '../runtime/index.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import type { FakeTurn } from '../testing/fake-language-model.js';
import { defineTool } from '../tools/index.js';
import type { CliIo } from './cli-io.js';
import { runCli } from './main.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(script: FakeTurn[], home?: string): TestRuntimeOptions {
  const built = createTestRuntimeOptions({ script, ...(home ? { home } : {}) });
  cleanups.push(() => built.cleanup());
  return built;
}

async function cli(env: TestRuntimeOptions, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(argv, { io, runtime: env.options });
  return { code, stdout, stderr };
}

/** A task whose `agentd run` process died mid-call: left `running` with a dead lease. */
async function killedRun(prompt: string): Promise<{ id: string; home: string }> {
  const env = setup([{ waitFor: 'forever' }]);
  const runtime = await createRuntime(env.options);
  const submitted = await runtime.tasks.submit({ prompt });
  await until(() => env.model.calls.length === 1, { message: 'the first model call' });
  await runtime.close();
  return { id: submitted.id, home: env.home };
}

describe('agentd tasks resume', () => {
  it('resumes an interrupted task and prints its result like agentd run', async () => {
    const { id, home } = await killedRun('write the summary');
    const env = setup([{ text: 'the summary' }], home);

    const listed = await cli(env, ['tasks', 'list', '--interrupted']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toMatch(/RESUMABLE HERE[\s\S]*yes/);

    const resumed = await cli(env, ['tasks', 'resume', id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe('the summary\n');
    expect(resumed.stderr).toContain(`${id} · succeeded`);

    const again = await cli(env, ['tasks', 'resume', id]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(
      `task ${id} has succeeded; only a task whose process is gone can be resumed`,
    );
    const unknown = await cli(env, ['tasks', 'resume', 'task_nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/task_nope/);
  });

  it('without an id resumes every interrupted task of this config', async () => {
    const { id, home } = await killedRun('count the rows');
    const env = setup([{ text: 'twelve' }], home);
    const resumed = await cli(env, ['tasks', 'resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id, status: 'succeeded', output: 'twelve' });
    const none = await cli(env, ['tasks', 'resume']);
    expect(none.stderr).toContain('no interrupted task of this config to resume');
  });
});

describe('agentd run with an interrupted task of the same prompt', () => {
  it('says how to resume it, on one line, without asking', async () => {
    const { id, home } = await killedRun('translate the notice');
    const env = setup([{ text: 'fresh run' }], home);
    const run = await cli(env, ['run', 'translate the notice']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('fresh run\n');
    const lines = run.stderr.split('\n').filter((line) => line.includes(id));
    expect(lines).toEqual([
      `agentd: task ${id} with this prompt was interrupted (its process is gone); resume it with: agentd tasks resume ${id}`,
    ]);
    const other = await cli(env, ['run', 'another prompt']);
    expect(other.stderr).not.toContain(id);
  });
});

describe('agentd reviews approve for a task of another project', () => {
  /** Test runtime options as if loaded from `configPath`, with a tool that needs approval. */
  function project(configPath: string, script: FakeTurn[], home?: string): TestRuntimeOptions {
    const tool = defineTool({
      name: 'send_email',
      description: 'Send an email',
      input: z.object({ to: z.string() }),
      requiresApproval: true,
      execute: async (input) => ({ sent: input.to }),
    });
    const built = createTestRuntimeOptions({ script, ...(home ? { home } : {}), runtime: { tools: [tool] } });
    cleanups.push(() => built.cleanup());
    const config = built.options.loadedConfig;
    if (!config) throw new Error('the test setup has a loaded config');
    built.options.loadedConfig = { ...config, files: [configPath] };
    return built;
  }

  it('records the answer and says which process runs the task, rather than following it forever', async () => {
    const a = project('/projects/a/agentd.yaml', [
      { toolCalls: [{ toolName: 'send_email', input: { to: 'bob' } }] },
    ]);
    const runtime = await createRuntime(a.options);
    const { id } = await runtime.tasks.submit({
      prompt: 'email bob',
      agent: { name: 'mailer', tools: ['send_email'] },
    });
    const waiting = await runtime.tasks.wait(id, { untilWaiting: true });
    await runtime.close();

    const b = project('/projects/b/agentd.yaml', [{ text: 'B ran it' }], a.home);
    const approved = await cli(b, ['reviews', 'approve', waiting.reviews?.[0]?.id ?? '']);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stderr).toContain(`task ${id} is queued for a process of the config it was started with`);
    expect(approved.stderr).toContain(`agentd tasks resume ${id}`);
    expect(b.model.calls).toHaveLength(0);
  });
});
