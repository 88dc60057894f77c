import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from './until.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('until', () => {
  it('returns the first truthy value of the condition, asking again while it is falsy', async () => {
    let asked = 0;
    const value = await until(() => ++asked >= 3 && { asked }, { intervalMs: 1 });
    expect(value).toEqual({ asked: 3 });
  });

  it('waits for an async condition and keeps asking while it throws', async () => {
    let asked = 0;
    const value = await until(
      async () => {
        asked++;
        if (asked < 3) throw new Error('not yet');
        return 'ready';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('ready');
    expect(asked).toBe(3);
  });

  it('fails after timeoutMs, saying what it waited for and what the condition last threw', async () => {
    const error = await until(
      () => {
        throw new Error('still broken');
      },
      { timeoutMs: 30, intervalMs: 5, message: 'the widget' },
    ).then(
      () => expect.fail('expected until to give up'),
      (thrown: unknown) => thrown as Error,
    );
    expect(error.message).toBe(
      'until: gave up after 30 ms waiting for the widget; it last threw: Error: still broken',
    );
    expect(error.cause).toEqual(new Error('still broken'));
  });

  it('asks a message function on timeout, for the state things were left in', async () => {
    let state = 'starting';
    const failure = until(() => ((state = 'stuck'), false), {
      timeoutMs: 20,
      intervalMs: 5,
      message: () => `the task to finish (it is ${state})`,
    });
    await expect(failure).rejects.toThrow('waiting for the task to finish (it is stuck)');
  });

  it('still waits, on the real clock, where a test fakes timers and Date', async () => {
    vi.useFakeTimers();
    let asked = 0;
    await expect(until(() => ++asked === 3, { intervalMs: 1 })).resolves.toBe(true);
    const stuck = until(() => false, { timeoutMs: 20, intervalMs: 5, message: 'nothing' });
    await expect(stuck).rejects.toThrow('gave up after 20 ms waiting for nothing');
  });
});
