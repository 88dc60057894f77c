import { describe, expect, it } from 'vitest';
import { createRunQueue } from './run-queue.js';

/** A queue whose launches are recorded; each returns `started` (true unless told otherwise). */
function setup(options: { maxRunning: number; maxQueued: number; now?: () => number }) {
  const launched: string[] = [];
  const errors: unknown[] = [];
  const clock = { now: options.now ?? (() => 0) };
  const queue = createRunQueue({
    maxRunning: options.maxRunning,
    maxQueued: options.maxQueued,
    clock,
    onLaunchError: (error) => errors.push(error),
  });
  const launch =
    (id: string, started = true) =>
    async () => {
      launched.push(id);
      return started;
    };
  return { queue, launched, errors, launch };
}

describe('run queue', () => {
  it('runs up to maxRunning tasks at once and the rest in order as slots free up', async () => {
    const { queue, launched, launch } = setup({ maxRunning: 2, maxQueued: 10 });
    expect(await queue.admit('a', launch('a'))).toBe('started');
    expect(await queue.admit('b', launch('b'))).toBe('started');
    expect(await queue.admit('c', launch('c'))).toBe('queued');
    expect(await queue.admit('d', launch('d'))).toBe('queued');
    expect(launched).toEqual(['a', 'b']);
    expect(queue.counts()).toEqual({ running: 2, queued: 2 });

    queue.release();
    await queue.left('c');
    expect(launched).toEqual(['a', 'b', 'c']);
    expect(queue.has('c')).toBe(false);
    expect(queue.has('d')).toBe(true);
  });

  it('admits a new task only while a slot or a queue place is free', () => {
    const { queue } = setup({ maxRunning: 1, maxQueued: 1 });
    expect(queue.reserve()).toBe(true);
    expect(queue.reserve()).toBe(true);
    expect(queue.reserve()).toBe(false);
    queue.unreserve();
    expect(queue.reserve()).toBe(true);
  });

  it('counts reserved, running and queued tasks against the limit', async () => {
    const { queue, launch } = setup({ maxRunning: 1, maxQueued: 1 });
    expect(queue.reserve()).toBe(true);
    await queue.admit('a', launch('a'), { reserved: true });
    expect(queue.reserve()).toBe(true);
    await queue.admit('b', launch('b'), { reserved: true });
    expect(queue.reserve()).toBe(false);
    // A resumed task was admitted before: it queues even when the queue is full.
    expect(await queue.admit('resumed', launch('resumed'))).toBe('queued');
    expect(queue.counts()).toEqual({ running: 1, queued: 2 });
  });

  it('frees the slot of a task that could not be started and starts the next one', async () => {
    const { queue, launched, launch } = setup({ maxRunning: 1, maxQueued: 5 });
    await queue.admit('a', launch('a'));
    await queue.admit('gone', launch('gone', false));
    await queue.admit('c', launch('c'));
    queue.release();
    await queue.left('c');
    // Let the launch of `gone` report that it did not start.
    await new Promise((resolve) => setImmediate(resolve));
    expect(launched).toEqual(['a', 'gone', 'c']);
    expect(queue.counts()).toEqual({ running: 1, queued: 0 });
  });

  it('reports a launch that throws and frees its slot', async () => {
    const { queue, errors } = setup({ maxRunning: 1, maxQueued: 5 });
    expect(
      await queue.admit('a', async () => {
        throw new Error('claim failed');
      }),
    ).toBe('not started');
    expect(errors.map(String)).toEqual(['Error: claim failed']);
    expect(queue.counts().running).toBe(0);
  });

  it('drops a cancelled task from the queue and lets its waiters go', async () => {
    const { queue, launched, launch } = setup({ maxRunning: 1, maxQueued: 5 });
    await queue.admit('a', launch('a'));
    await queue.admit('b', launch('b'));
    const left = queue.left('b');
    queue.drop('b');
    await left;
    queue.release();
    expect(launched).toEqual(['a']);
    expect(queue.counts()).toEqual({ running: 0, queued: 0 });
  });

  it('estimates Retry-After from how fast tasks have been finishing', async () => {
    let now = 0;
    const { queue, launch } = setup({ maxRunning: 1, maxQueued: 10, now: () => now });
    expect(queue.retryAfterSeconds()).toBe(1);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await queue.admit(id, launch(id));
    // Two tasks finish, 4 s apart: one every 4 s, and 4 are queued → about 16 s for a place.
    queue.release();
    now = 4000;
    queue.release();
    expect(queue.counts().queued).toBe(3);
    expect(queue.retryAfterSeconds()).toBe(16);
    // A slow drain is capped: clients are told to come back within a minute.
    now = 104_000;
    queue.release();
    expect(queue.retryAfterSeconds()).toBe(60);
  });
});
