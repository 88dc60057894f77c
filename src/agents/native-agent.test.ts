import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBudget, createCostMeter } from '../budget/index.js';
import { AgentdError } from '../core/errors.js';
import type { Json } from '../core/json.js';
import { createJournalEngine, createLoopGuard, TaskSuspendedError } from '../executor/index.js';
import type { ModelInfo } from '../models/index.js';
import { createModelRouter, RouterConfigSchema } from '../router/index.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import { createFakeLanguageModel } from '../testing/fake-language-model.js';
import type { FakeLanguageModelOptions } from '../testing/fake-language-model.js';
import { createRecordingSpanExporter } from '../testing/recording-span-exporter.js';
import { createToolRegistry, defineTool } from '../tools/index.js';
import type { AnyTool } from '../tools/index.js';
import { ATTR, createTracer } from '../trace/index.js';
import type { AgentInput } from './agent-runner.js';
import type { AgentSpec } from './agent-spec.js';
import { nativeAgentRunner } from './native-agent.js';

// The native agent loop on its own: the scripted fake model behind a real router, the SQLite journal
// engine (so steps are journaled and approvals suspend and resume), a real tracer into memory.

const INFO: ModelInfo = {
  id: 'fake/scripted',
  provider: 'fake',
  model: 'scripted',
  inputPerMTok: 1,
  outputPerMTok: 2,
  contextWindow: 1_000_000,
  capabilities: { tools: true, json: true, vision: false },
  quality: { default: 0.8 },
  known: true,
  simulated: false,
};

let stores: Stores | undefined;
afterEach(async () => {
  await stores?.close();
  stores = undefined;
});

interface Emitted {
  type: string;
  data: Record<string, unknown>;
}

/** A native agent run against the scripted model; `run` may be called again to resume the same task. */
function harness(options: {
  script: FakeLanguageModelOptions['script'];
  tools?: AnyTool[];
  defaultMaxSteps?: number;
}) {
  const opened = (stores ??= openSqliteStores({ path: ':memory:' }));
  const model = createFakeLanguageModel({ script: options.script });
  const router = createModelRouter({
    config: RouterConfigSchema.parse({ retry: { maxRetries: 0 }, exploration: { share: 0 } }),
    candidates: () => [INFO],
    resolve: () => ({ model, info: INFO, local: false }),
    store: opened.router,
  });
  const exporter = createRecordingSpanExporter();
  const tracer = createTracer({ exporters: [exporter] });
  const clock = { now: () => 1_000 };
  const engine = createJournalEngine({ journal: opened.journal, reviews: opened.reviews, clock });
  const events: Emitted[] = [];
  const tools = createToolRegistry(options.tools ?? []);

  async function run(agent: AgentSpec, input: AgentInput, signal = new AbortController().signal) {
    return engine.run({ taskId: 'task_1', signal }, async (durable) => {
      const root = tracer.startSpan('task', { kind: 'task', taskId: 'task_1' });
      try {
        return await nativeAgentRunner.run(agent, input, {
          durable,
          workspace: '/nonexistent',
          ensureWorkspace: () => Promise.resolve(),
          tracer,
          parentSpan: root,
          tools,
          clock,
          router,
          routing: () => ({ strategy: 'single', cascadeModels: 1 }),
          costMeter: createCostMeter({ taskId: 'task_1', ledger: opened.ledger, clock }),
          emit: (type, data) => void events.push({ type, data: data as unknown as Record<string, unknown> }),
          budget: createBudget({ name: 'task', limits: {} }),
          guard: createLoopGuard(),
          defaultMaxSteps: options.defaultMaxSteps ?? 8,
          defaultMaxOutputTokens: 1000,
          modelTimeoutMs: 60_000,
          firstTokenTimeoutMs: 60_000,
          stallTimeoutMs: 60_000,
        });
      } finally {
        root.end();
      }
    });
  }

  return {
    model,
    events,
    run,
    /** The journaled steps, in order: [key, name, status]. */
    steps: async () => (await opened.journal.list('task_1')).map((s) => [s.key, s.name, s.status]),
    spans: async () => {
      await tracer.flush();
      return exporter.spans;
    },
    reviews: () => opened.reviews.list({ taskId: 'task_1', limit: 10 }),
    answer: (
      id: string,
      answer: { decision: 'approve' | 'reject' | 'edit'; note?: string; payload?: Json },
    ) => opened.reviews.answer(id, { note: null, payload: null, ...answer }, 2_000),
  };
}

/** A tool that records its inputs and answers with what it was asked, or fails as told. */
function lookupTool(
  options: { fails?: (query: string) => Error | undefined; requiresApproval?: boolean } = {},
) {
  const inputs: string[] = [];
  const tool = defineTool({
    name: 'lookup',
    description: 'Looks something up.',
    input: z.strictObject({ query: z.string() }),
    ...(options.requiresApproval ? { requiresApproval: true } : {}),
    async execute({ query }) {
      inputs.push(query);
      const failure = options.fails?.(query);
      if (failure) throw failure;
      return { found: `facts about ${query}` };
    },
  });
  return { tool, inputs };
}

const lookup = (query: string) => ({ toolCalls: [{ toolName: 'lookup', input: { query } }] });
const agent = (extra: Partial<AgentSpec> = {}): AgentSpec => ({
  name: 'researcher',
  tools: ['lookup'],
  ...extra,
});

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<AgentdError> {
  const error = await promise.then(
    () => expect.fail('expected a rejection'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AgentdError);
  return error as AgentdError;
}

describe('the native agent loop: steps', () => {
  it('answers with one model step when the model calls no tool', async () => {
    const h = harness({ script: [{ text: 'Paris' }] });
    const result = await h.run(agent({ tools: [] }), { prompt: 'Capital of France?' });
    expect(result).toEqual({ agent: 'researcher', output: 'Paris' });
    expect(h.model.calls).toHaveLength(1);
    expect(h.model.calls[0]?.promptText).toContain('Capital of France?');
    expect(await h.steps()).toEqual([['1', 'model:researcher:1', 'completed']]);
    expect(h.events.map((e) => e.type)).toEqual(['step-start', 'text-delta', 'step-end', 'agent-end']);
    expect(h.events.at(-1)?.data).toMatchObject({ agent: 'researcher', output: 'Paris' });
  });

  it('runs each tool the model asks for as a step and feeds its result back in the next model step', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('tides'), { text: 'High tide at noon.' }], tools: [tool] });
    const result = await h.run(agent(), { prompt: 'When is high tide?' });
    expect(result.output).toBe('High tide at noon.');
    expect(inputs).toEqual(['tides']);
    expect(h.model.calls).toHaveLength(2);
    expect(h.model.calls[1]?.promptText).toContain('facts about tides');
    expect(await h.steps()).toEqual([
      ['1', 'model:researcher:1', 'completed'],
      ['2', 'tool:researcher:lookup', 'completed'],
      ['3', 'model:researcher:2', 'completed'],
    ]);
  });

  it('counts model steps only: an answer on the last allowed step succeeds', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('a'), lookup('b'), { text: 'done' }], tools: [tool] });
    const result = await h.run(agent({ maxSteps: 3 }), { prompt: 'go' });
    expect(result.output).toBe('done');
    expect(h.model.calls).toHaveLength(3);
    expect(inputs).toEqual(['a', 'b']);
  });

  it('stops at maxSteps with agent.max_steps when the model is still calling tools', async () => {
    const { tool, inputs } = lookupTool();
    // A new query every time: progress as far as the loop guard can tell, so only the step cap stops it.
    const h = harness({ script: ({ index }) => lookup(`q${index}`), tools: [tool] });
    const error = await rejection(h.run(agent({ maxSteps: 3 }), { prompt: 'go' }));
    expect(error).toMatchObject({
      code: 'agent.max_steps',
      details: { agent: 'researcher', maxSteps: 3 },
    });
    expect(error.message).toContain('step cap (3 model calls)');
    expect(h.model.calls).toHaveLength(3);
    // The tools of the last model step still ran: the cap counts model calls.
    expect(inputs).toEqual(['q0', 'q1', 'q2']);
    expect(h.events.some((e) => e.type === 'agent-end')).toBe(false);
  });

  it('uses the default step cap when the agent sets none', async () => {
    const { tool } = lookupTool();
    const h = harness({ script: ({ index }) => lookup(`q${index}`), tools: [tool], defaultMaxSteps: 2 });
    const error = await rejection(h.run(agent(), { prompt: 'go' }));
    expect(error).toMatchObject({ code: 'agent.max_steps', details: { maxSteps: 2 } });
    expect(h.model.calls).toHaveLength(2);
  });

  it('stops an agent that repeats the same tool call with the same result (loop.detected)', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('same')], tools: [tool] });
    const error = await rejection(h.run(agent(), { prompt: 'go' }));
    expect(error).toMatchObject({
      code: 'loop.detected',
      details: { agent: 'researcher', action: 'lookup' },
    });
    expect(inputs).toEqual(['same', 'same', 'same']);
    expect(h.model.calls).toHaveLength(3);
  });

  it('asks once more with the validation errors when a structured answer is invalid, then returns the data', async () => {
    const h = harness({ script: [{ text: '{"city": 7}' }, { text: '{"city": "Paris"}' }] });
    const result = await h.run(agent({ tools: [] }), {
      prompt: 'Where?',
      schema: z.strictObject({ city: z.string() }),
    });
    expect(result).toEqual({ agent: 'researcher', output: '{"city": "Paris"}', data: { city: 'Paris' } });
    expect(h.model.calls).toHaveLength(2);
    expect(h.model.calls[1]?.promptText).toContain('Your answer was not valid');
  });

  it('gives up with agent.invalid_output after one repair turn', async () => {
    const h = harness({ script: [{ text: 'not json' }] });
    const error = await rejection(
      h.run(agent({ tools: [] }), { prompt: 'Where?', schema: z.strictObject({ city: z.string() }) }),
    );
    expect(error.code).toBe('agent.invalid_output');
    expect(h.model.calls).toHaveLength(2);
  });
});

describe('the native agent loop: tool errors', () => {
  it('reports a tool that throws to the model as an error result, and the loop goes on', async () => {
    const { tool, inputs } = lookupTool({
      fails: (query) =>
        query === 'broken'
          ? new AgentdError({ code: 'tool.unavailable', message: 'the index is offline' })
          : undefined,
    });
    const h = harness({
      script: [lookup('broken'), lookup('other'), { text: 'found it elsewhere' }],
      tools: [tool],
    });
    const result = await h.run(agent(), { prompt: 'go' });
    expect(result.output).toBe('found it elsewhere');
    expect(inputs).toEqual(['broken', 'other']);
    // The model saw the failure as the tool's result: its code and message.
    expect(h.model.calls[1]?.promptText).toContain('tool.unavailable: the index is offline');
    // The failed call is still a completed step (its result is the error), not a failed one.
    expect(await h.steps()).toEqual([
      ['1', 'model:researcher:1', 'completed'],
      ['2', 'tool:researcher:lookup', 'completed'],
      ['3', 'model:researcher:2', 'completed'],
      ['4', 'tool:researcher:lookup', 'completed'],
      ['5', 'model:researcher:3', 'completed'],
    ]);
    const toolSpans = (await h.spans()).filter((s) => s.name === 'execute_tool lookup');
    expect(toolSpans.map((s) => [s.status, s.attributes[ATTR.errorType]])).toEqual([
      ['error', 'tool.unavailable'],
      ['ok', undefined],
    ]);
  });

  it('reports a plain Error from a tool as internal.error with its message', async () => {
    const { tool } = lookupTool({ fails: () => new Error('disk full') });
    const h = harness({ script: [lookup('x'), { text: 'ok' }], tools: [tool] });
    await h.run(agent(), { prompt: 'go' });
    expect(h.model.calls[1]?.promptText).toContain('internal.error: disk full');
  });

  it('tells the model about a tool it does not have, or input the tool refuses, without running anything', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({
      script: [
        { toolCalls: [{ toolName: 'launch_rockets', input: {} }] },
        { toolCalls: [{ toolName: 'lookup', input: { query: 42 } }] },
        { text: 'giving up' },
      ],
      tools: [tool],
    });
    expect((await h.run(agent(), { prompt: 'go' })).output).toBe('giving up');
    expect(inputs).toEqual([]);
    expect(h.model.calls[1]?.promptText).toContain(
      "tool.not_found: no tool named 'launch_rockets' is available",
    );
    expect(h.model.calls[2]?.promptText).toContain('tool.invalid_input');
  });

  it('ends the run, not the tool call, when the task is aborted while a tool runs', async () => {
    const controller = new AbortController();
    const reason = new AgentdError({ code: 'task.cancelled', message: 'cancelled by the user' });
    const { tool } = lookupTool({
      fails: () => {
        controller.abort(reason);
        return new Error('interrupted');
      },
    });
    const h = harness({ script: [lookup('x'), { text: 'never asked' }], tools: [tool] });
    const error = await rejection(h.run(agent(), { prompt: 'go' }, controller.signal));
    expect(error.code).toBe('task.cancelled');
    // The model was not told about the interrupted call: there was no second model step. Nor was the
    // interruption journaled as the tool's result, which a resumed task would replay instead of the call.
    expect(h.model.calls).toHaveLength(1);
    expect(await h.steps()).toEqual([['1', 'model:researcher:1', 'completed']]);
    expect(h.events.at(-1)).toMatchObject({
      type: 'step-end',
      data: { name: 'tool:researcher:lookup', error: { code: 'task.cancelled' } },
    });
  });
});

describe('the native agent loop: approvals', () => {
  /** Runs until the agent waits for a human; returns the pending review. */
  async function untilApprovalAsked(h: ReturnType<typeof harness>, spec: AgentSpec) {
    const suspended = await h.run(spec, { prompt: 'look up tides' }).catch((error: unknown) => error);
    expect(suspended).toBeInstanceOf(TaskSuspendedError);
    const [review] = await h.reviews();
    expect(review?.id).toBe((suspended as TaskSuspendedError).reviewId);
    return review as NonNullable<typeof review>;
  }

  it('suspends before a tool listed in requireApproval runs, asking a human with the call', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('tides'), { text: 'done' }], tools: [tool] });
    const review = await untilApprovalAsked(h, agent({ requireApproval: ['lookup'] }));
    expect(review).toMatchObject({
      kind: 'tool-approval',
      status: 'pending',
      payload: { agent: 'researcher', tool: 'lookup', input: { query: 'tides' } },
    });
    expect(review.question).toContain("Agent 'researcher' wants to call lookup");
    expect(inputs).toEqual([]);
    expect(h.events.filter((e) => e.type === 'review-requested').map((e) => e.data)).toEqual([
      { taskId: 'task_1', reviewId: review.id, kind: 'tool-approval', question: review.question },
    ]);
  });

  it('runs the tool once when approved, replaying the model step before the wait', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('tides'), { text: 'done' }], tools: [tool] });
    const spec = agent({ requireApproval: ['lookup'] });
    const review = await untilApprovalAsked(h, spec);
    await h.answer(review.id, { decision: 'approve' });
    expect((await h.run(spec, { prompt: 'look up tides' })).output).toBe('done');
    expect(inputs).toEqual(['tides']);
    // One model call before the wait (replayed from the journal on resume), one after.
    expect(h.model.calls).toHaveLength(2);
  });

  it('tells the model a rejected call was rejected, with the note, and never runs the tool', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('tides'), { text: 'I could not look it up' }], tools: [tool] });
    const spec = agent({ requireApproval: ['lookup'] });
    const review = await untilApprovalAsked(h, spec);
    await h.answer(review.id, { decision: 'reject', note: 'not today' });
    expect((await h.run(spec, { prompt: 'look up tides' })).output).toBe('I could not look it up');
    expect(inputs).toEqual([]);
    expect(h.model.calls[1]?.promptText).toContain('tool.rejected: a human rejected this call: not today');
  });

  it('runs the tool with the input a reviewer edited', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('tides'), { text: 'done' }], tools: [tool] });
    const spec = agent({ requireApproval: ['lookup'] });
    const review = await untilApprovalAsked(h, spec);
    await h.answer(review.id, { decision: 'edit', payload: { input: { query: 'tides in Brest' } } });
    await h.run(spec, { prompt: 'look up tides' });
    expect(inputs).toEqual(['tides in Brest']);
  });

  it('waits for a human for a tool defined with requiresApproval, whatever the agent lists', async () => {
    const { tool, inputs } = lookupTool({ requiresApproval: true });
    const h = harness({ script: [lookup('tides'), { text: 'done' }], tools: [tool] });
    const review = await untilApprovalAsked(h, agent());
    expect(review.kind).toBe('tool-approval');
    expect(inputs).toEqual([]);
  });

  it('runs a tool that needs no approval without asking anyone', async () => {
    const { tool, inputs } = lookupTool();
    const h = harness({ script: [lookup('tides'), { text: 'done' }], tools: [tool] });
    await h.run(agent(), { prompt: 'look up tides' });
    expect(inputs).toEqual(['tides']);
    expect(await h.reviews()).toEqual([]);
  });
});
