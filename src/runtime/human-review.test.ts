import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentdError } from '../core/errors.js';
import type { TaskEvent } from '../core/events.js';
import type { TaskResult } from '../executor/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { defineTool } from '../tools/index.js';
import type { Runtime } from './runtime.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tool that needs a human's approval, recording every input it really ran with. */
function emailTool() {
  const sent: { to: string; subject: string }[] = [];
  const tool = defineTool({
    name: 'send_email',
    description: 'Send an email',
    input: z.object({ to: z.string(), subject: z.string() }),
    requiresApproval: true,
    async execute(input) {
      sent.push(input);
      return { sent: true, to: input.to };
    },
  });
  return { tool, sent };
}

/**
 * The model: asks to send an email until it sees the tool's result (or its rejection), then
 * answers. Decided from the prompt, not the call count, so a fresh model after a restart behaves
 * the same way.
 */
function mailerScript(call: FakeCall): FakeTurn {
  const result = /"type":"json"|"type":"error-text"/.test(call.promptText);
  return result
    ? { text: 'done', usage: { inputTokens: 10, outputTokens: 5 } }
    : {
        toolCalls: [{ toolName: 'send_email', input: { to: 'bob@example.com', subject: 'hello' } }],
        usage: { inputTokens: 10, outputTokens: 5 },
      };
}

const MAILER = { name: 'mailer', instructions: 'Send the mail asked for.', tools: ['send_email'] };

async function mailerRuntime(options: { home?: string; script?: typeof mailerScript } = {}) {
  const email = emailTool();
  const t = await createTestRuntime({
    script: options.script ?? mailerScript,
    runtime: { tools: [email.tool] },
    // The prompts are checked for the addresses a reviewer edited in: not masked here (the fake model
    // stands for a hosted one, and security.pii.prompts masks e-mail addresses by default).
    config: { security: { pii: { prompts: 'allow' } } },
    ...(options.home ? { home: options.home } : {}),
  });
  let disposed = false;
  cleanups.push(async () => {
    if (!disposed) await t.runtime.close();
    if (!options.home) rmSync(t.home, { recursive: true, force: true });
  });
  return {
    ...t,
    sent: email.sent,
    /** Closes the runtime, keeping its home (for a restart on the same database). */
    async close() {
      disposed = true;
      await t.runtime.close();
    },
  };
}

/** Waits until the task has the status. */
async function untilStatus(runtime: Runtime, id: string, status: TaskResult['status']): Promise<TaskResult> {
  let last: TaskResult | undefined;
  await until(async () => (last = await runtime.tasks.get(id)).status === status, {
    message: () => `task ${id} to become ${status} (it is ${last?.status ?? 'unknown'})`,
  });
  return last as TaskResult;
}

/**
 * The task's stored events so far. The stream follows a waiting task forever; with a signal already
 * aborted it yields what is stored and ends.
 */
async function eventsSoFar(runtime: Runtime, id: string): Promise<TaskEvent[]> {
  const events: TaskEvent[] = [];
  for await (const event of runtime.tasks.events(id, { signal: AbortSignal.abort() })) events.push(event);
  return events;
}

async function submitUntilWaiting(t: TestRuntime): Promise<{ task: TaskResult; reviewId: string }> {
  const submitted = await t.runtime.tasks.submit({ prompt: 'email bob hello', agent: MAILER });
  const task = await untilStatus(t.runtime, submitted.id, 'waiting');
  const reviewId = task.reviews?.[0]?.id;
  if (!reviewId) throw new Error('the waiting task names no review');
  return { task, reviewId };
}

async function thrown(promise: Promise<unknown>): Promise<AgentdError> {
  try {
    await promise;
  } catch (error) {
    return error as AgentdError;
  }
  throw new Error('expected a rejection');
}

describe('tool calls that require approval', () => {
  it('suspend the task as waiting with a pending tool-approval review, before the tool runs', async () => {
    const t = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(t);

    expect(task.status).toBe('waiting');
    expect(task.reviews).toEqual([{ id: reviewId, kind: 'tool-approval', question: expect.any(String) }]);
    expect(task.reviews?.[0]?.question).toContain('send_email');
    expect(task.output).toBeNull();
    expect(task.timings.finishedAt).toBeNull();
    expect(t.sent).toEqual([]);
    expect(t.model.calls).toHaveLength(1);

    const [review, ...others] = await t.runtime.reviews.list({ status: 'pending' });
    expect(others).toEqual([]);
    expect(review).toMatchObject({
      id: reviewId,
      taskId: task.id,
      kind: 'tool-approval',
      status: 'pending',
      answer: null,
      answeredAt: null,
      payload: { agent: 'mailer', tool: 'send_email', input: { to: 'bob@example.com', subject: 'hello' } },
    });
    expect(await t.runtime.reviews.list({ taskId: task.id })).toHaveLength(1);
    expect(await t.runtime.reviews.list({ status: 'answered' })).toEqual([]);
    expect((await t.runtime.tasks.list({ status: ['waiting'] })).map((x) => x.id)).toEqual([task.id]);

    // Stored before the task shows `waiting`: whoever sees the status finds the event.
    const events = await eventsSoFar(t.runtime, task.id);
    const requested = events.filter((e) => e.type === 'review-requested');
    expect(requested.map((e) => e.data)).toEqual([
      { taskId: task.id, reviewId, kind: 'tool-approval', question: review?.question },
    ]);
    expect(events.some((e) => e.type === 'task-end' || e.type === 'task-error')).toBe(false);
    // No tool step started: the wait comes before the tool's step.
    expect(events.some((e) => e.type === 'step-start' && e.data.kind === 'tool')).toBe(false);
  });

  it('approve resumes the task: the tool runs once and earlier model calls are not repeated', async () => {
    const t = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(t);

    const answered = await t.runtime.reviews.answer(reviewId, {
      decision: 'approve',
      note: null,
      payload: null,
    });
    expect(answered).toMatchObject({
      id: reviewId,
      status: 'answered',
      answer: { decision: 'approve', note: null, payload: null },
    });
    expect(answered.answeredAt).toEqual(expect.any(Number));

    const result = await t.runtime.tasks.wait(task.id);
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('done');
    expect(result.reviews).toBeUndefined();
    expect(t.sent).toEqual([{ to: 'bob@example.com', subject: 'hello' }]);
    // One call before the wait, one after: the first is replayed from the journal, not repeated.
    expect(t.model.calls).toHaveLength(2);
    expect(result.modelCalls).toBe(2);
    expect(result.toolCalls).toBe(1);
    expect(t.model.calls[1]?.promptText).toContain('"sent":true');

    const events = await eventsSoFar(t.runtime, task.id);
    const types = events.map((e) => e.type);
    expect(types.filter((type) => type === 'review-requested')).toHaveLength(1);
    expect(events.find((e) => e.type === 'review-answered')?.data).toEqual({
      taskId: task.id,
      reviewId,
      decision: 'approve',
    });
    expect(types.indexOf('review-answered')).toBeGreaterThan(types.indexOf('review-requested'));
    expect(types.at(-1)).toBe('task-end');
    expect(await t.runtime.reviews.list({ status: 'pending' })).toEqual([]);
    expect(await t.runtime.reviews.list({ status: 'answered' })).toHaveLength(1);
  });

  it('reject tells the model (tool.rejected and the note) and the tool never runs', async () => {
    const t = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(t);

    await t.runtime.reviews.answer(reviewId, {
      decision: 'reject',
      note: 'bob is on holiday',
      payload: null,
    });
    const result = await t.runtime.tasks.wait(task.id);
    expect(result.status).toBe('succeeded');
    expect(t.sent).toEqual([]);
    expect(t.model.calls).toHaveLength(2);
    const prompt = t.model.calls[1]?.promptText ?? '';
    expect(prompt).toContain('tool.rejected');
    expect(prompt).toContain('bob is on holiday');
    expect(result.toolCalls).toBe(0);
  });

  it('edit runs the tool with the input from the edited payload', async () => {
    const t = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(t);

    await t.runtime.reviews.answer(reviewId, {
      decision: 'edit',
      note: 'to alice instead',
      payload: { input: { to: 'alice@example.com', subject: 'hello' } },
    });
    const result = await t.runtime.tasks.wait(task.id);
    expect(result.status).toBe('succeeded');
    expect(t.sent).toEqual([{ to: 'alice@example.com', subject: 'hello' }]);
    expect(t.model.calls[1]?.promptText).toContain('alice@example.com');
  });

  it('resumes after a restart: answered on a new runtime on the same home, without repeating completed steps', async () => {
    const first = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(first);
    await first.close();

    const second = await mailerRuntime({ home: first.home });
    expect((await second.runtime.tasks.get(task.id)).status).toBe('waiting');
    expect((await second.runtime.reviews.list()).map((r) => r.id)).toEqual([reviewId]);

    await second.runtime.reviews.answer(reviewId, { decision: 'approve', note: null, payload: null });
    const result = await second.runtime.tasks.wait(task.id);
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('done');
    expect(first.model.calls).toHaveLength(1);
    // The new process makes only the call after the tool; the first is replayed from the journal.
    expect(second.model.calls).toHaveLength(1);
    expect(second.model.calls[0]?.promptText).toContain('"sent":true');
    expect(first.sent).toEqual([]);
    expect(second.sent).toEqual([{ to: 'bob@example.com', subject: 'hello' }]);
    expect(result.modelCalls).toBe(2);
  });

  it('a waiter adopts the task when the runtime that answered closes mid-run', async () => {
    const first = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(first);
    const waited = first.runtime.tasks.wait(task.id);

    // The answering runtime resumes the task and is closed while its last model call hangs.
    const second = await mailerRuntime({
      home: first.home,
      script: (call) => ({ ...mailerScript(call), waitFor: 'forever' }),
    });
    await second.runtime.reviews.answer(reviewId, { decision: 'approve', note: null, payload: null });
    await until(() => second.model.calls.length > 0, { message: "the answering runtime's model call" });
    expect(second.model.calls).toHaveLength(1);
    await second.close();

    const result = await waited;
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('done');
    // The tool ran once, in the answering runtime; the waiter replayed it from the journal.
    expect([...first.sent, ...second.sent]).toEqual([{ to: 'bob@example.com', subject: 'hello' }]);
    expect(first.model.calls).toHaveLength(2);
  });

  it('refuses a second answer (review.already_answered) and an unknown review (review.not_found)', async () => {
    const t = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(t);
    await t.runtime.reviews.answer(reviewId, { decision: 'approve', note: null, payload: null });

    const again = await thrown(
      t.runtime.reviews.answer(reviewId, { decision: 'reject', note: null, payload: null }),
    );
    expect(again.code).toBe('review.already_answered');
    expect(again.message).toContain('approve');
    const missing = await thrown(
      t.runtime.reviews.answer('rev_missing', { decision: 'approve', note: null, payload: null }),
    );
    expect(missing.code).toBe('review.not_found');

    expect((await t.runtime.tasks.wait(task.id)).status).toBe('succeeded');
    expect(t.sent).toHaveLength(1);
    const [review] = await t.runtime.reviews.list({ status: 'answered' });
    expect(review?.answer?.decision).toBe('approve');
  });

  it('a waiting task can be cancelled; answering its review afterwards does not run it', async () => {
    const t = await mailerRuntime();
    const { task, reviewId } = await submitUntilWaiting(t);

    const cancelled = await t.runtime.tasks.cancel(task.id);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error?.code).toBe('task.cancelled');
    expect((await t.runtime.tasks.wait(task.id)).status).toBe('cancelled');

    // The review was closed with its task: it is no longer pending and cannot be answered.
    const [closed] = await t.runtime.reviews.list({ taskId: task.id });
    expect(closed).toMatchObject({ id: reviewId, status: 'cancelled', answer: null });
    expect(await t.runtime.reviews.list({ status: 'pending' })).toEqual([]);
    const refused = await t.runtime.reviews
      .answer(reviewId, { decision: 'approve', note: null, payload: null })
      .then(
        () => undefined,
        (error: AgentdError) => error,
      );
    expect(refused?.code).toBe('review.closed');
    expect(refused?.message).toContain('was cancelled');
    const after = await t.runtime.tasks.get(task.id);
    expect(after.status).toBe('cancelled');
    expect(t.sent).toEqual([]);
    expect(t.model.calls).toHaveLength(1);
    const events = await eventsSoFar(t.runtime, task.id);
    expect(events.filter((e) => e.type === 'task-error').map((e) => e.data.status)).toEqual(['cancelled']);
    expect(events.some((e) => e.type === 'task-end')).toBe(false);
  });
});

describe('approval required by the agent file (requireApproval)', () => {
  it('suspends a built-in tool call until approved, then runs it once', async () => {
    const t = await createTestRuntime({
      script: (call) =>
        /"type":"json"/.test(call.promptText)
          ? { text: 'written' }
          : {
              toolCalls: [{ toolName: 'write_file', input: { path: 'notes.md', content: 'approved text' } }],
            },
    });
    cleanups.push(() => t.dispose());
    const agent = { name: 'scribe', tools: ['write_file'], requireApproval: ['write_file'] };
    const submitted = await t.runtime.tasks.submit({ prompt: 'write the notes', agent });
    const waiting = await untilStatus(t.runtime, submitted.id, 'waiting');
    const [review] = waiting.reviews ?? [];
    expect(review?.kind).toBe('tool-approval');
    expect(review?.question).toContain('write_file');
    const workspace = join(t.home, 'workspaces', submitted.id);
    expect(existsSync(join(workspace, 'notes.md'))).toBe(false);

    await t.runtime.reviews.answer(review?.id ?? '', { decision: 'approve', note: null, payload: null });
    const done = await t.runtime.tasks.wait(submitted.id);
    expect(done.status).toBe('succeeded');
    expect(readFileSync(join(workspace, 'notes.md'), 'utf8')).toBe('approved text');
    expect(done.toolCalls).toBe(1);
  });

  it('refuses a requireApproval entry that is not one of the agent tools, before any task exists', async () => {
    const t = await createTestRuntime();
    cleanups.push(() => t.dispose());
    const error = await t.runtime.tasks
      .submit({ prompt: 'x', agent: { name: 'a', tools: [], requireApproval: ['write_file'] } })
      .then(
        () => undefined,
        (e: AgentdError) => e,
      );
    expect(error?.code).toBe('task.invalid');
    expect(error?.message).toContain('requireApproval');
    expect(await t.runtime.tasks.list()).toEqual([]);
  });
});
