import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { defineTool } from '../tools/index.js';
import { adminActor, invokeOperation, listTasks, resumeTask } from '../operations/index.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import type { FakeTurn } from '../testing/fake-language-model.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';
import type { RuntimeOptions } from './create-runtime.js';

const opened: Runtime[] = [];
const built: TestRuntimeOptions[] = [];
afterEach(async () => {
  for (const runtime of opened.splice(0)) await runtime.close();
  for (const setup of built.splice(0).reverse()) setup.cleanup();
});

/** A runtime on `home` (fresh when absent) whose config was read from `configPath`. */
async function open(options: {
  configPath: string;
  home?: string;
  script: FakeTurn[];
  resume?: boolean;
  env?: Record<string, string>;
  tools?: RuntimeOptions['tools'];
}): Promise<{ runtime: Runtime; setup: TestRuntimeOptions }> {
  const setup = createTestRuntimeOptions({
    script: options.script,
    ...(options.env ? { env: options.env } : {}),
    ...(options.home ? { home: options.home } : {}),
    runtime: {
      ...(options.resume ? { resume: true } : {}),
      ...(options.tools ? { tools: options.tools } : {}),
    },
  });
  built.push(setup);
  const config = setup.options.loadedConfig;
  if (!config) throw new Error('the test setup has a loaded config');
  // As if loaded from that project's agentd.yaml: the runtime records (and matches) the path.
  setup.options.loadedConfig = { ...config, files: [options.configPath] };
  const runtime = await createRuntime(setup.options);
  opened.push(runtime);
  return { runtime, setup };
}

/** Starts a task in project A whose model call never answers, then "kills" A: the task stays running. */
async function interruptedTaskOfProjectA(): Promise<{ id: string; home: string }> {
  const a = await open({ configPath: '/projects/a/agentd.yaml', script: [{ waitFor: 'forever' }] });
  const submitted = await a.runtime.tasks.submit({ prompt: 'summarise the report' });
  await until(() => a.setup.model.calls.length === 1, { message: 'the model call of project A' });
  await a.runtime.close();
  opened.splice(opened.indexOf(a.runtime), 1);
  return { id: submitted.id, home: a.setup.home };
}

describe('which process adopts an interrupted task', () => {
  it('a server of another project leaves it alone and lists it with the reason', async () => {
    const { id, home } = await interruptedTaskOfProjectA();
    const b = await open({
      configPath: '/projects/b/agentd.yaml',
      home,
      script: [{ text: 'B ran it' }],
      resume: true,
    });
    expect(await b.runtime.tasks.resumeInterrupted()).toEqual([]);
    expect(b.setup.model.calls).toHaveLength(0);
    expect((await b.runtime.tasks.get(id)).status).toBe('running');

    const { tasks } = await invokeOperation(b.runtime, listTasks, { interrupted: 'true' }, adminActor('t'));
    expect(tasks.map((t) => [t.id, t.interruption])).toEqual([
      [
        id,
        {
          adopted: false,
          reason: 'started with /projects/a/agentd.yaml',
          configPath: '/projects/a/agentd.yaml',
        },
      ],
    ]);
    await expect(b.runtime.tasks.resume(id)).rejects.toMatchObject({ code: 'task.config_mismatch' });
    expect(b.setup.model.calls).toHaveLength(0);
  });

  it('a process of the same project resumes it, on start or when asked', async () => {
    const { id, home } = await interruptedTaskOfProjectA();
    const again = await open({ configPath: '/projects/a/agentd.yaml', home, script: [{ text: 'done' }] });
    const { tasks } = await invokeOperation(again.runtime, listTasks, { interrupted: true }, adminActor('t'));
    expect(tasks.map((t) => [t.id, t.interruption?.adopted])).toEqual([[id, true]]);

    const resumed = await invokeOperation(again.runtime, resumeTask, { id }, adminActor('t'));
    expect(resumed.status).toBe('running');
    expect(await again.runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'done' });
    await expect(again.runtime.tasks.resume(id)).rejects.toMatchObject({
      code: 'task.not_interrupted',
      message: expect.stringContaining('has succeeded'),
    });
    await expect(again.runtime.tasks.resume('task_unknown')).rejects.toMatchObject({
      code: 'task.not_found',
    });
  });

  it('a review answered from another project does not run the task there', async () => {
    const approval = () =>
      defineTool({
        name: 'send_email',
        description: 'Send an email',
        input: z.object({ to: z.string() }),
        requiresApproval: true,
        execute: async (input) => ({ sent: input.to }),
      });
    const mailer = { name: 'mailer', instructions: 'Send the mail asked for.', tools: ['send_email'] };
    const a = await open({
      configPath: '/projects/a/agentd.yaml',
      script: [{ toolCalls: [{ toolName: 'send_email', input: { to: 'bob' } }] }],
      tools: [approval()],
    });
    const { id } = await a.runtime.tasks.submit({ prompt: 'email bob', agent: mailer });
    const waiting = await a.runtime.tasks.wait(id, { untilWaiting: true });
    const reviewId = waiting.reviews?.[0]?.id ?? '';
    await a.runtime.close();
    opened.splice(opened.indexOf(a.runtime), 1);

    const b = await open({
      configPath: '/projects/b/agentd.yaml',
      home: a.setup.home,
      script: [{ text: 'B ran it' }],
      tools: [approval()],
    });
    await b.runtime.reviews.answer(reviewId, { decision: 'approve', note: null, payload: null });
    // Answered, and left for a process of its own config (as an interrupted task is).
    expect(b.setup.model.calls).toHaveLength(0);
    expect((await b.runtime.tasks.get(id)).status).toBe('queued');
    expect(await b.runtime.tasks.resumeInterrupted()).toEqual([]);

    const again = await open({
      configPath: '/projects/a/agentd.yaml',
      home: a.setup.home,
      script: [{ text: 'sent' }],
      tools: [approval()],
    });
    expect(await again.runtime.tasks.resumeInterrupted()).toEqual([id]);
    expect(await again.runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'sent' });
  });

  it('a cancelled interrupted task leaves no call pending: its dead process’s calls are interrupted', async () => {
    const { id, home } = await interruptedTaskOfProjectA();
    // As a kill -9 mid-call leaves it: the call's row written before dispatch, never settled.
    const stores = openSqliteStores({ path: join(home, 'agentd.db') });
    await stores.ledger.record({
      id: 'cost_killed',
      taskId: id,
      agent: 'assistant',
      modelId: 'fake/scripted',
      provider: 'fake',
      inputTokens: 100,
      outputTokens: 4096,
      costUsd: 0.01,
      source: 'estimated',
      status: 'pending',
      createdAt: Date.now(),
    });
    await stores.close();
    const b = await open({ configPath: '/projects/a/agentd.yaml', home, script: [] });
    const cancelled = await b.runtime.tasks.cancel(id);
    expect(cancelled.status).toBe('cancelled');
    const again = openSqliteStores({ path: join(home, 'agentd.db') });
    const rows = await again.ledger.listByTask(id).finally(() => again.close());
    expect(rows.filter((row) => row.status === 'pending')).toEqual([]);
    expect((await b.runtime.tasks.get(id)).interruptedCalls).toBeGreaterThanOrEqual(1);
  });

  it('another project may take it over with force', async () => {
    const { id, home } = await interruptedTaskOfProjectA();
    const b = await open({ configPath: '/projects/b/agentd.yaml', home, script: [{ text: 'forced' }] });
    await b.runtime.tasks.resume(id, { force: true });
    expect(await b.runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'forced' });
  });

  it('records the config as a path and a hash: no secret of it reaches the database', async () => {
    const secret = 'sk-test-do-not-store-0123456789';
    const a = await open({
      configPath: '/projects/a/agentd.yaml',
      script: [{ text: 'ok' }],
      env: { OPENAI_API_KEY: secret },
    });
    const { id } = await a.runtime.tasks.submit({ prompt: 'hello' });
    await a.runtime.tasks.wait(id);
    await a.runtime.close();
    opened.splice(opened.indexOf(a.runtime), 1);
    const database = join(a.setup.home, 'agentd.db');
    const bytes = [database, `${database}-wal`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'));
    expect(bytes.join('')).toContain('/projects/a/agentd.yaml');
    expect(bytes.join('')).toMatch(/sha256:[0-9a-f]{64}/);
    expect(bytes.join('')).not.toContain(secret);
  });
});
