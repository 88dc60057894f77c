import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TaskResult } from '../executor/index.js';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { defineTool } from '../tools/index.js';
import type { Runtime } from './runtime.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A tool with side effects that counts its runs; in `hang` mode it never finishes (until aborted). */
function sendTool(options: { idempotent: boolean; hang: boolean }) {
  const runs: string[] = [];
  const tool = defineTool({
    name: 'send_invoice',
    description: 'Send an invoice',
    input: z.object({ to: z.string() }),
    idempotent: options.idempotent,
    async execute(input, context) {
      runs.push(input.to);
      if (options.hang) {
        // Cut off mid-call: the process stops while the tool is running.
        await new Promise((_, reject) =>
          context.signal.addEventListener('abort', () => reject(context.signal.reason as Error)),
        );
      }
      return { sent: true };
    },
  });
  return { tool, runs };
}

/** Calls the tool until its result (or failure) is in the prompt, then answers with what it saw. */
function script(call: FakeCall): FakeTurn {
  if (call.promptText.includes('the call was cut off')) return { text: 'not sent' };
  if (/"type":"json"/.test(call.promptText)) return { text: 'sent' };
  return { toolCalls: [{ toolName: 'send_invoice', input: { to: 'acme' } }] };
}

const BILLER = { name: 'biller', instructions: 'Send the invoice.', tools: ['send_invoice'] };

async function runtimeWith(options: {
  idempotent: boolean;
  hang: boolean;
  home?: string;
  config?: Record<string, unknown>;
}) {
  const send = sendTool(options);
  const t = await createTestRuntime({
    script,
    runtime: { tools: [send.tool], ...(options.home ? { resume: true } : {}) },
    config: { memory: { enabled: false }, ...options.config },
    ...(options.home ? { home: options.home } : {}),
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await t.runtime.close();
    if (!options.home) rmSync(t.home, { recursive: true, force: true });
  });
  return {
    ...t,
    runs: send.runs,
    async close() {
      closed = true;
      await t.runtime.close();
    },
  };
}

/** Runs the task until the tool has started, then stops the process mid-call; returns the task id and home. */
async function cutOffMidCall(options: { idempotent: boolean; config?: Record<string, unknown> }) {
  const first = await runtimeWith({ ...options, hang: true });
  const task = await first.runtime.tasks.submit({ prompt: 'invoice acme', agent: BILLER });
  await until(() => first.runs.length === 1, { message: 'the tool call to start' });
  await first.close();
  return { id: task.id, home: first.home };
}

async function untilStatus(runtime: Runtime, id: string, status: TaskResult['status']): Promise<TaskResult> {
  let last: TaskResult | undefined;
  await until(async () => (last = await runtime.tasks.get(id)).status === status, {
    message: () => `task ${id} to become ${status} (it is ${last?.status ?? 'unknown'})`,
  });
  return last as TaskResult;
}

describe('a tool call cut off mid-run', () => {
  it('is not run again on resume: the task waits for a human, who may have it run again', async () => {
    const { id, home } = await cutOffMidCall({ idempotent: false });
    const second = await runtimeWith({ idempotent: false, hang: false, home });
    const waiting = await untilStatus(second.runtime, id, 'waiting');
    expect(second.runs).toEqual([]);
    expect(waiting.reviews).toEqual([
      expect.objectContaining({
        kind: 'tool-interrupted',
        question: expect.stringContaining('send_invoice'),
      }),
    ]);
    await second.runtime.reviews.answer(waiting.reviews?.[0]?.id ?? '', {
      decision: 'approve',
      note: null,
      payload: null,
    });
    expect(await second.runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'sent' });
    expect(second.runs).toEqual(['acme']);
  });

  it('tells the agent the call failed when the human rejects running it again', async () => {
    const { id, home } = await cutOffMidCall({ idempotent: false });
    const second = await runtimeWith({ idempotent: false, hang: false, home });
    const waiting = await untilStatus(second.runtime, id, 'waiting');
    await second.runtime.reviews.answer(waiting.reviews?.[0]?.id ?? '', {
      decision: 'reject',
      note: 'sent by hand',
      payload: null,
    });
    expect(await second.runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'not sent' });
    expect(second.runs).toEqual([]);
  });

  it('fails the task with tool.interrupted under tools.onInterrupted: fail', async () => {
    const config = { tools: { onInterrupted: 'fail' } };
    const { id, home } = await cutOffMidCall({ idempotent: false, config });
    const second = await runtimeWith({ idempotent: false, hang: false, home, config });
    const failed = await untilStatus(second.runtime, id, 'failed');
    expect(failed.error).toMatchObject({
      code: 'tool.interrupted',
      message: expect.stringContaining('send_invoice'),
    });
    expect(second.runs).toEqual([]);
  });

  it('runs an idempotent tool again without asking', async () => {
    const { id, home } = await cutOffMidCall({ idempotent: true });
    const second = await runtimeWith({ idempotent: true, hang: false, home });
    expect(await second.runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'sent' });
    expect(second.runs).toEqual(['acme']);
  });
});
