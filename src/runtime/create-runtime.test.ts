import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskEvent } from '../core/events.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { createTestRuntime, FAKE_PRICES } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function collect(events: AsyncIterable<TaskEvent>): Promise<TaskEvent[]> {
  const out: TaskEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** A sequential team (hand-off `last`) of tool-less agents with these names. */
function sequentialTeam(...names: string[]) {
  return {
    name: 'team',
    topology: 'sequential' as const,
    options: { handoff: 'last' },
    agents: names.map((name) => ({ name, tools: [] })),
  };
}

function fakeCost(inputTokens: number, outputTokens: number): number {
  return (inputTokens * FAKE_PRICES.inputPerMTok + outputTokens * FAKE_PRICES.outputPerMTok) / 1_000_000;
}

describe('a task through the runtime', () => {
  it('runs the default agent, prices the call from the catalog and reports it in the result', async () => {
    // The runtime's clock is the test's; the model's answer takes 1.5 s of it.
    let now = 1_700_000_000_000;
    t = await createTestRuntime({
      script: () => {
        now += 1500;
        return { text: 'Tides pull the moon', usage: { inputTokens: 1200, outputTokens: 300 } };
      },
      runtime: { clock: { now: () => now } },
    });
    const result = await t.runtime.tasks.run({ prompt: 'Write a haiku about tides' });
    expect(result).toMatchObject({
      status: 'succeeded',
      output: 'Tides pull the moon',
      error: null,
      modelCalls: 1,
      toolCalls: 0,
      simulated: false,
      cost: { usd: fakeCost(1200, 300), inputTokens: 1200, outputTokens: 300 },
    });
    expect(result.timings).toEqual({
      createdAt: 1_700_000_000_000,
      startedAt: 1_700_000_000_000,
      finishedAt: 1_700_000_001_500,
      durationMs: 1500,
    });
    expect(t.model.calls[0]?.promptText).toContain('Write a haiku about tides');
  });

  it('writes one ledger row per model call with the task, agent, model and measured usage', async () => {
    t = await createTestRuntime({
      script: ({ index }) => ({
        text: `out ${index}`,
        usage: { inputTokens: 10 * (index + 1), outputTokens: 3 },
      }),
    });
    const team = sequentialTeam('a', 'b');
    const result = await t.runtime.tasks.run({ prompt: 'x', team });
    const stores = openSqliteStores({ path: join(t.home, 'agentd.db') });
    try {
      const rows = await stores.ledger.listByTask(result.id);
      expect(
        rows.map((r) => [r.taskId, r.agent, r.modelId, r.provider, r.inputTokens, r.outputTokens, r.source]),
      ).toEqual([
        [result.id, 'a', 'fake/scripted', 'fake', 10, 3, 'measured'],
        [result.id, 'b', 'fake/scripted', 'fake', 20, 3, 'measured'],
      ]);
      expect(rows.map((r) => r.costUsd)).toEqual([fakeCost(10, 3), fakeCost(20, 3)]);
    } finally {
      await stores.close();
    }
  });

  it('records a span tree with GenAI attributes and the task id on every span', async () => {
    t = await createTestRuntime({ script: [{ text: 'ok', usage: { inputTokens: 10, outputTokens: 5 } }] });
    const result = await t.runtime.tasks.run({ prompt: 'hello' });
    const spans = await t.runtime.tasks.spans(result.id);
    const byKind = (kind: string) => spans.filter((s) => s.kind === kind);
    expect(byKind('task')).toHaveLength(1);
    expect(byKind('agent')).toHaveLength(1);
    const [model] = byKind('model');
    expect(model?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'scripted',
      'gen_ai.provider.name': 'fake',
      'gen_ai.agent.name': 'assistant',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.output_tokens': 5,
      'agentd.cost.usd': fakeCost(10, 5),
    });
    expect(model?.parentSpanId).toBe(byKind('agent')[0]?.spanId);
    expect(byKind('agent')[0]?.parentSpanId).toBe(byKind('team')[0]?.spanId);
    expect(byKind('team')[0]?.parentSpanId).toBe(byKind('task')[0]?.spanId);
    expect(spans.every((s) => s.taskId === result.id && s.attributes['agentd.task.id'] === result.id)).toBe(
      true,
    );
  });

  it('makes a task workspace only when a tool needs it', async () => {
    t = await createTestRuntime({
      script: [
        { text: 'no tools needed' },
        { toolCalls: [{ toolName: 'list_files', input: {} }] },
        { text: 'looked' },
      ],
    });
    const plain = await t.runtime.tasks.run({ prompt: 'say hi' });
    expect(plain.status).toBe('succeeded');
    expect(existsSync(join(t.home, 'workspaces', plain.id))).toBe(false);
    const looked = await t.runtime.tasks.run({ prompt: 'look around' });
    expect(looked).toMatchObject({ status: 'succeeded', output: 'looked', toolCalls: 1 });
    expect(existsSync(join(t.home, 'workspaces', looked.id))).toBe(true);
  });

  it('runs the tool loop in the task workspace and feeds tool results back to the model', async () => {
    t = await createTestRuntime({
      script: [
        { toolCalls: [{ toolName: 'write_file', input: { path: 'notes/a.txt', content: 'tide tables' } }] },
        { toolCalls: [{ toolName: 'read_file', input: { path: 'notes/a.txt' } }] },
        { text: 'done' },
      ],
    });
    const result = await t.runtime.tasks.run({
      prompt: 'take notes',
      agent: { name: 'scribe', tools: ['write_file', 'read_file'], instructions: 'Write things down.' },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'done', modelCalls: 3, toolCalls: 2 });
    expect(readFileSync(join(t.home, 'workspaces', result.id, 'notes', 'a.txt'), 'utf8')).toBe('tide tables');
    expect(t.model.calls[2]?.promptText).toContain('tide tables');
    expect(t.model.calls[0]?.options.tools?.map((tool) => tool.name).sort()).toEqual([
      'read_file',
      'write_file',
    ]);
    const system = t.model.calls[0]?.options.prompt[0];
    expect(system).toMatchObject({ role: 'system', content: 'Write things down.' });
    const toolSpans = (await t.runtime.tasks.spans(result.id)).filter((s) => s.kind === 'tool');
    expect(toolSpans.map((s) => s.attributes['gen_ai.tool.name'])).toEqual(['write_file', 'read_file']);
  });

  it('refuses a path that leaves the workspace and tells the model why', async () => {
    t = await createTestRuntime({
      script: [
        { toolCalls: [{ toolName: 'write_file', input: { path: '../escape.txt', content: 'x' } }] },
        { text: 'sorry' },
      ],
    });
    const result = await t.runtime.tasks.run({
      prompt: 'escape',
      agent: { name: 'a', tools: ['write_file'] },
    });
    expect(result.status).toBe('succeeded');
    expect(existsSync(join(t.home, 'workspaces', 'escape.txt'))).toBe(false);
    expect(t.model.calls[1]?.promptText).toContain('security.path_outside_workspace');
    const [toolSpan] = (await t.runtime.tasks.spans(result.id)).filter((s) => s.kind === 'tool');
    expect(toolSpan?.status).toBe('error');
  });

  it('stops an agent at its step cap with agent.max_steps', async () => {
    t = await createTestRuntime({ script: [{ toolCalls: [{ toolName: 'current_time', input: {} }] }] });
    const result = await t.runtime.tasks.run({
      prompt: 'loop',
      agent: { name: 'a', tools: ['current_time'], maxSteps: 2 },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('agent.max_steps');
    expect(t.model.calls).toHaveLength(2);
  });

  it('hands each agent of a sequential team the task and the previous output', async () => {
    t = await createTestRuntime({ script: ({ index }) => ({ text: `draft ${index + 1}` }) });
    const team = sequentialTeam('writer', 'editor', 'critic');
    const result = await t.runtime.tasks.run({ prompt: 'Write about tides', team });
    expect(result.output).toBe('draft 3');
    const prompts = t.model.calls.map((c) => c.promptText);
    expect(prompts[1]).toContain('Write about tides');
    expect(prompts[1]).toContain('--- Output of writer ---\ndraft 1');
    expect(prompts[2]).toContain('--- Output of editor ---\ndraft 2');
    expect(prompts[2]).not.toContain('draft 1');

    const all = await t.runtime.tasks.run({
      prompt: 'again',
      team: { ...team, options: { handoff: 'all' } },
    });
    expect(all.status).toBe('succeeded');
    const last = t.model.calls.at(-1)?.promptText ?? '';
    expect(last).toContain('--- Output of writer ---');
    expect(last).toContain('--- Output of editor ---');
  });

  it('fails the task with the model error and keeps what it cost so far', async () => {
    t = await createTestRuntime({
      script: [
        { text: 'first', usage: { inputTokens: 100, outputTokens: 10 } },
        { error: new Error('upstream exploded') },
      ],
    });
    const team = sequentialTeam('a', 'b');
    const result = await t.runtime.tasks.run({ prompt: 'x', team });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model.call_failed' });
    expect(result.error?.message).toContain('upstream exploded');
    expect(result.cost.usd).toBe(fakeCost(100, 10));
    const events = await collect(t.runtime.tasks.events(result.id));
    expect(events.at(-1)).toMatchObject({ type: 'task-error', data: { status: 'failed' } });
  });

  it('cancels a running task by aborting its in-flight model call', async () => {
    t = await createTestRuntime({ script: [{ waitFor: 'forever' }] });
    const submitted = await t.runtime.tasks.submit({ prompt: 'wait' });
    await until(() => t?.model.calls.length === 1, { message: 'the model call' });
    const cancelled = await t.runtime.tasks.cancel(submitted.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error?.code).toBe('task.cancelled');
    expect(t.model.calls[0]?.options.abortSignal?.aborted).toBe(true);
    const events = await collect(t.runtime.tasks.events(submitted.id));
    expect(events.at(-1)).toMatchObject({ type: 'task-error', data: { status: 'cancelled' } });
    // Cancelling a finished task changes nothing.
    expect((await t.runtime.tasks.cancel(submitted.id)).status).toBe('cancelled');
  });

  it('emits ordered events, replays them, and streams text deltas live', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    t = await createTestRuntime({ script: [{ text: 'three word answer', waitFor: gate }] });
    const submitted = await t.runtime.tasks.submit({ prompt: 'q' });
    const live = collect(t.runtime.tasks.events(submitted.id));
    release();
    const events = await live;
    expect(events.map((e) => e.type)).toEqual([
      'task-start',
      'step-start',
      'text-delta',
      'text-delta',
      'text-delta',
      'step-end',
      'agent-end',
      'task-end',
    ]);
    const stored = events.filter((e) => e.type !== 'text-delta');
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(stored[2]).toMatchObject({
      type: 'step-end',
      data: { kind: 'model', text: 'three word answer', replayed: false },
    });
    const replay = await collect(t.runtime.tasks.events(submitted.id, { afterSeq: 2 }));
    expect(replay.map((e) => e.type)).toEqual(['step-end', 'agent-end', 'task-end']);
  });

  it('streams the events of a task that another runtime on the same database runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    t = await createTestRuntime({ script: [{ text: 'from elsewhere', waitFor: gate }] });
    const watcher = await createTestRuntime({ home: t.home });
    try {
      const submitted = await t.runtime.tasks.submit({ prompt: 'q' });
      const watched = collect(watcher.runtime.tasks.events(submitted.id));
      release();
      const events = await watched;
      expect(events.map((e) => e.type)).toEqual([
        'task-start',
        'step-start',
        'step-end',
        'agent-end',
        'task-end',
      ]);
      expect(events.at(-1)).toMatchObject({ data: { output: 'from elsewhere' } });
    } finally {
      await watcher.runtime.close();
    }
  });

  it('marks output of the simulated model as simulated', async () => {
    t = await createTestRuntime();
    const result = await t.runtime.tasks.run({
      prompt: 'Write a haiku about tides',
      model: 'simulated/dry-run',
    });
    expect(result.simulated).toBe(true);
    expect(result.output).toMatch(/^\[simulated\]/);
    expect(result.cost.usd).toBe(0);
    expect(t.model.calls).toHaveLength(0);
  });

  it('picks a model by capabilities, never silently falling back to the simulated one', async () => {
    t = await createTestRuntime({ script: [{ text: 'seen' }] });
    const result = await t.runtime.tasks.run({
      prompt: 'x',
      agent: { name: 'a', tools: [], requirements: { tools: true } },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'seen', simulated: false });
    await expect(
      t.runtime.tasks.submit({
        prompt: 'x',
        agent: { name: 'a', tools: [], requirements: { vision: true } },
      }),
    ).rejects.toMatchObject({
      code: 'router.no_candidate',
      message: expect.stringMatching(/no vision support/),
    });
  });

  it('rejects a bad request before creating a task', async () => {
    t = await createTestRuntime();
    await expect(t.runtime.tasks.submit({ prompt: '   ' })).rejects.toMatchObject({ code: 'task.invalid' });
    await expect(t.runtime.tasks.submit({ prompt: 'x', model: 'nope/model' })).rejects.toMatchObject({
      code: 'model.unknown_provider',
    });
    await expect(
      t.runtime.tasks.submit({ prompt: 'x', agent: { name: 'a', tools: ['no_such_tool'] } }),
    ).rejects.toMatchObject({ code: 'tool.not_found' });
    await expect(
      t.runtime.tasks.submit({
        prompt: 'x',
        team: {
          name: 't',
          topology: 'sequential',
          options: { handoff: 'last' },
          agents: [
            { name: 'a', tools: [] },
            { name: 'a', tools: [] },
          ],
        },
      }),
    ).rejects.toMatchObject({ code: 'topology.invalid_team' });
    expect(await t.runtime.tasks.list()).toEqual([]);
  });

  it('resumes an interrupted task without repeating its completed steps', async () => {
    const first = await createTestRuntime({
      script: ({ index }) => (index === 0 ? { text: 'step one done' } : { waitFor: 'forever' }),
    });
    const team = sequentialTeam('a', 'b');
    const submitted = await first.runtime.tasks.submit({ prompt: 'two steps', team });
    await until(() => first.model.calls.length === 2, { message: "b's model call" });
    // Closing interrupts the task but leaves it `running`, as a crash would.
    await first.runtime.close();

    t = await createTestRuntime({
      home: first.home,
      script: [{ text: 'step two done' }],
      runtime: { resume: true },
    });
    const result = await t.runtime.tasks.wait(submitted.id);
    expect(result).toMatchObject({ status: 'succeeded', output: 'step two done' });
    expect(t.model.calls).toHaveLength(1);
    expect(t.model.calls[0]?.promptText).toContain('step one done');
    // The event history holds both runs; the resumed run starts at the second task-start.
    const events = await collect(t.runtime.tasks.events(submitted.id));
    const resumedRun = events.slice(events.findLastIndex((e) => e.type === 'task-start'));
    expect(
      resumedRun.filter((e) => e.type === 'step-end').map((e) => e.type === 'step-end' && e.data.replayed),
    ).toEqual([true, false]);
  });
});
