import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

const ONE_AT_A_TIME = { executor: { maxRunningTasks: 1, maxQueuedTasks: 1 }, memory: { enabled: false } };

/** A runtime that runs one task at a time and queues one more; every model call waits for `open()`. */
async function oneAtATime(): Promise<{ t: TestRuntime; open(): void }> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  t = await createTestRuntime({
    script: ({ promptText }) => ({ text: `done: ${promptText.split('\n').at(-1)}`, waitFor: gate }),
    config: ONE_AT_A_TIME,
  });
  return { t, open };
}

describe('admission control', () => {
  it('queues a task while the running slots are taken and refuses one more with task.queue_full', async () => {
    const { t, open } = await oneAtATime();
    const first = await t.runtime.tasks.submit({ prompt: 'first' });
    const second = await t.runtime.tasks.submit({ prompt: 'second' });
    expect(first.status).toBe('running');
    expect(second.status).toBe('queued');

    const refused = await t.runtime.tasks.submit({ prompt: 'third' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(AgentdError);
    expect(refused).toMatchObject({ code: 'task.queue_full', category: 'unavailable' });
    expect((refused as AgentdError).message).toMatch(/1 tasks running, 1 queued.*try again in \d+ s/);
    expect((refused as AgentdError).details?.['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
    // A refused request leaves no task behind.
    expect((await t.runtime.tasks.list()).map((task) => task.prompt).sort()).toEqual(['first', 'second']);

    open();
    const [a, b] = await Promise.all([t.runtime.tasks.wait(first.id), t.runtime.tasks.wait(second.id)]);
    expect([a.status, b.status]).toEqual(['succeeded', 'succeeded']);
    expect(b.output).toBe('done: second');
    // The queued task started only once the first had finished.
    expect(b.timings.startedAt).toBeGreaterThanOrEqual(a.timings.finishedAt ?? Number.POSITIVE_INFINITY);
    // And its place is free again.
    expect((await t.runtime.tasks.run({ prompt: 'fourth' })).status).toBe('succeeded');
  });

  it('cancels a queued task without ever running it, and frees its place', async () => {
    const { t, open } = await oneAtATime();
    const first = await t.runtime.tasks.submit({ prompt: 'first' });
    const queued = await t.runtime.tasks.submit({ prompt: 'queued' });
    const cancelled = await t.runtime.tasks.cancel(queued.id);
    expect(cancelled.status).toBe('cancelled');
    // The queue has room again.
    const next = await t.runtime.tasks.submit({ prompt: 'next' });
    expect(next.status).toBe('queued');
    open();
    expect((await t.runtime.tasks.wait(next.id)).status).toBe('succeeded');
    expect((await t.runtime.tasks.wait(first.id)).status).toBe('succeeded');
    expect(t.model.calls.map((call) => call.promptText.split('\n').at(-1))).toEqual(['first', 'next']);
    expect((await t.runtime.tasks.get(queued.id)).status).toBe('cancelled');
  });

  it('leaves queued tasks queued when the runtime closes, and the next runtime runs them', async () => {
    const { t, open } = await oneAtATime();
    await t.runtime.tasks.submit({ prompt: 'first' });
    const queued = await t.runtime.tasks.submit({ prompt: 'queued' });
    await t.runtime.close();
    // The same project's config: a runtime with another config leaves the task alone.
    const next = await createTestRuntime({
      home: t.home,
      script: [{ text: 'resumed' }],
      config: ONE_AT_A_TIME,
    });
    try {
      open();
      expect(await next.runtime.tasks.resumeInterrupted()).toContain(queued.id);
      await until(async () => (await next.runtime.tasks.get(queued.id)).status === 'succeeded');
      expect((await next.runtime.tasks.get(queued.id)).output).toBe('resumed');
    } finally {
      await next.runtime.close();
    }
  });

  it('runs a queued task once while a client waits for it (the wait does not start it a second time)', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    t = await createTestRuntime({
      script: ({ promptText }) => ({ text: `done: ${promptText.split('\n').at(-1)}`, waitFor: gate }),
      config: { executor: { maxRunningTasks: 2, maxQueuedTasks: 5 }, memory: { enabled: false } },
    });
    const running = [
      await t.runtime.tasks.submit({ prompt: 'one' }),
      await t.runtime.tasks.submit({ prompt: 'two' }),
    ];
    const queued = await Promise.all(
      ['three', 'four', 'five'].map((prompt) => t?.runtime.tasks.submit({ prompt })),
    );
    const waits = queued.map((task) => t?.runtime.tasks.wait(task?.id ?? ''));
    open();
    const results = await Promise.all([...waits, ...running.map((task) => t?.runtime.tasks.wait(task.id))]);
    expect(results.map((r) => r?.status)).toEqual(Array(5).fill('succeeded'));
    expect(results.map((r) => r?.modelCalls)).toEqual([1, 1, 1, 1, 1]);
    expect(t.model.calls).toHaveLength(5);
  });
});
