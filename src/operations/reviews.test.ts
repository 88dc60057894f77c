import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentdError } from '../core/errors.js';
import type { TaskResult } from '../executor/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { defineTool } from '../tools/index.js';
import type { Operation } from './define-operation.js';
import {
  answerReview,
  cancelTask,
  createTask,
  getTask,
  adminActor,
  invokeOperation,
  listReviews,
  listTasks,
  listTopologies,
  operations,
} from './index.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const sent: unknown[] = [];
const sendEmail = defineTool({
  name: 'send_email',
  description: 'Send an email',
  input: z.object({ to: z.string() }),
  requiresApproval: true,
  async execute(input) {
    sent.push(input);
    return { sent: true };
  },
});

function script(call: FakeCall): FakeTurn {
  return /"type":"(json|error-text)"/.test(call.promptText)
    ? { text: 'done' }
    : { toolCalls: [{ toolName: 'send_email', input: { to: 'bob@example.com' } }] };
}

const API = adminActor('api');
const MAILER = { name: 'mailer', tools: ['send_email'] };

/** Runs an operation and checks that its result is exactly what its output schema describes. */
async function call<O extends Operation>(operation: O, input: unknown): Promise<z.infer<O['output']>> {
  if (!t) throw new Error('no runtime');
  const result = await invokeOperation(t.runtime, operation, input, API);
  // The output schemas strip unknown keys: equality means every field is described.
  expect(z.strictObject({ result: operation.output }).parse({ result })).toEqual({ result });
  return result as z.infer<O['output']>;
}

async function waitingTask(): Promise<TaskResult> {
  t = await createTestRuntime({ script, runtime: { tools: [sendEmail] } });
  const submitted = await call(createTask, { prompt: 'email bob', agent: MAILER });
  return until(
    async () => {
      const task = await call(getTask, { id: submitted.id });
      return task.status === 'waiting' && (task as TaskResult);
    },
    { message: 'the task to wait for its review' },
  );
}

async function rejected(promise: Promise<unknown>): Promise<AgentdError> {
  try {
    await promise;
  } catch (error) {
    return error as AgentdError;
  }
  throw new Error('expected a rejection');
}

describe('reviews operations', () => {
  it('describe a waiting task, its reviews and their answers with their output schemas', async () => {
    const task = await waitingTask();
    expect(task.reviews).toHaveLength(1);
    const page = await call(listTasks, { status: 'waiting' });
    expect(page.tasks.map((x) => x.id)).toEqual([task.id]);

    const pending = await call(listReviews, {});
    expect(pending.reviews.map((r) => r.id)).toEqual([task.reviews?.[0]?.id]);
    expect(pending.next).toBeNull();
    expect(pending.reviews[0]?.payload).toEqual({
      agent: 'mailer',
      tool: 'send_email',
      input: { to: 'bob@example.com' },
    });

    const id = pending.reviews[0]?.id ?? '';
    const answered = await call(answerReview, { id, decision: 'approve', note: 'fine' });
    expect(answered).toMatchObject({ id, status: 'answered', answer: { decision: 'approve', note: 'fine' } });
    const done = (await t?.runtime.tasks.wait(task.id)) as TaskResult;
    expect(done.status).toBe('succeeded');
    expect(await call(getTask, { id: task.id })).toEqual(done);

    expect((await call(listReviews, {})).reviews).toEqual([]);
    expect((await call(listReviews, { status: 'answered' })).reviews.map((r) => r.id)).toEqual([id]);
    expect((await call(listReviews, { status: 'all', taskId: task.id })).reviews).toHaveLength(1);
    expect((await call(listReviews, { status: 'all', taskId: 'task_other' })).reviews).toEqual([]);
  });

  it('page with limit and before', async () => {
    await waitingTask();
    const second = await call(createTask, { prompt: 'email bob again', agent: MAILER });
    await until(async () => (await call(getTask, { id: second.id })).status === 'waiting', {
      message: 'the second task to wait for its review',
    });
    const first = await call(listReviews, { limit: '1' });
    expect(first.reviews).toHaveLength(1);
    expect(first.next).toBe(first.reviews[0]?.id);
    const rest = await call(listReviews, { limit: '1', before: first.next });
    expect(rest.reviews).toHaveLength(1);
    expect(rest.reviews[0]?.id).not.toBe(first.reviews[0]?.id);
  });

  it('validate answers: a known decision, a payload with edit and only with edit', async () => {
    const task = await waitingTask();
    const id = task.reviews?.[0]?.id ?? '';
    const runtime = t?.runtime;
    if (!runtime) throw new Error('no runtime');
    const bad = (input: unknown) => rejected(invokeOperation(runtime, answerReview, input, API));

    const unknownDecision = await bad({ id, decision: 'maybe' });
    expect(unknownDecision).toMatchObject({ code: 'request.invalid', path: 'decision' });
    const editWithout = await bad({ id, decision: 'edit' });
    expect(editWithout).toMatchObject({ code: 'request.invalid', path: 'payload' });
    expect(editWithout.message).toContain('edit needs a payload');
    expect(await bad({ id, decision: 'edit', payload: null })).toMatchObject({ path: 'payload' });
    expect(await bad({ id, decision: 'approve', payload: { input: {} } })).toMatchObject({
      code: 'request.invalid',
      path: 'payload',
    });
    expect(await bad({ id, decision: 'approve', extra: 1 })).toMatchObject({ code: 'request.invalid' });
    expect(await rejected(invokeOperation(runtime, listReviews, { status: 'done' }, API))).toMatchObject({
      code: 'request.invalid',
      path: 'status',
    });
    // Nothing was answered by the bad requests.
    expect((await call(listReviews, {})).reviews).toHaveLength(1);

    const edited = await call(answerReview, {
      id,
      decision: 'edit',
      payload: { input: { to: 'eve@x.org' } },
    });
    expect(edited.answer).toEqual({ decision: 'edit', note: null, payload: { input: { to: 'eve@x.org' } } });
    const again = await rejected(invokeOperation(runtime, answerReview, { id, decision: 'approve' }, API));
    expect(again.code).toBe('review.already_answered');
    const missing = await rejected(
      invokeOperation(runtime, answerReview, { id: 'rev_x', decision: 'approve' }, API),
    );
    expect(missing.code).toBe('review.not_found');
    expect((await runtime.tasks.wait(task.id)).status).toBe('succeeded');
  });

  it('cancel a waiting task', async () => {
    const task = await waitingTask();
    const cancelled = await call(cancelTask, { id: task.id });
    expect(cancelled.status).toBe('cancelled');
  });
});

describe('tasks.create', () => {
  it('accepts a budget and rejects an unknown budget key', async () => {
    t = await createTestRuntime({ script: [{ text: 'ok' }] });
    const task = await call(createTask, { prompt: 'hi', budget: { usd: 1, modelCalls: 3 }, wait: true });
    expect(task.status).toBe('succeeded');
    const error = await rejected(
      invokeOperation(t.runtime, createTask, { prompt: 'hi', budget: { dollars: 1 } }, API),
    );
    expect(error.code).toBe('request.invalid');
    expect(error.message).toContain('budget');
  });
});

describe('topologies.list', () => {
  it('lists every topology with a description and its options with defaults', async () => {
    t = await createTestRuntime();
    const { topologies } = await call(listTopologies, {});
    const names = topologies.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['single', 'sequential', 'parallel', 'debate', 'hybrid']));
    for (const topology of topologies) expect(topology.description.length, topology.name).toBeGreaterThan(10);
    expect(topologies.find((x) => x.name === 'single')?.options).toEqual([]);
    expect(topologies.find((x) => x.name === 'sequential')?.options).toEqual([
      { name: 'handoff', type: 'string', values: ['last', 'all'], required: false, default: 'last' },
    ]);
    const debate = topologies.find((x) => x.name === 'debate')?.options ?? [];
    expect(debate).toContainEqual({ name: 'rounds', type: 'integer', required: false, default: 2 });
    expect(debate).toContainEqual({ name: 'judge', type: 'string', required: false });
  });
});

describe('the operation list', () => {
  it('registers the review and topology operations on their routes', () => {
    const routes = Object.fromEntries(operations.map((o) => [o.name, `${o.http.method} ${o.http.path}`]));
    expect(routes).toMatchObject({
      'reviews.list': 'GET /v1/reviews',
      'reviews.answer': 'POST /v1/reviews/:id',
      'topologies.list': 'GET /v1/topologies',
    });
    expect(operations.find((o) => o.name === 'reviews.answer')?.permission).toBe('reviews.answer');
  });
});
