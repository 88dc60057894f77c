import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStreamWatchdog } from './stream-watchdog.js';

const part = (type: 'stream-start' | 'response-metadata' | 'text-delta'): LanguageModelV3StreamPart =>
  type === 'text-delta'
    ? { type, id: 't', delta: 'x' }
    : type === 'stream-start'
      ? { type, warnings: [] }
      : { type, id: 'r' };

// Timers and performance.now are faked, so each test says exactly how much time passes.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('stream watchdog', () => {
  it('aborts when no first token comes in time; the SDK preamble does not count as one', async () => {
    const w = createStreamWatchdog({ modelId: 'p/m', totalMs: 10_000, firstTokenMs: 100, stallMs: 1000 });
    w.saw(part('stream-start'));
    w.saw(part('response-metadata'));
    await vi.advanceTimersByTimeAsync(99);
    expect(w.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.signal.aborted).toBe(true);
    expect((w.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(w.error()).toMatchObject({
      code: 'model.timeout',
      retryable: true,
      details: { deadline: 'first-token', timeoutMs: 100 },
    });
    expect(w.error().message).toMatch(/^p\/m: no first token within 100 ms \(agents\.firstTokenTimeoutMs/);
  });

  it('after the first token, aborts only when the stream goes quiet for the stall time', async () => {
    const w = createStreamWatchdog({ modelId: 'p/m', totalMs: 10_000, firstTokenMs: 100, stallMs: 50 });
    await vi.advanceTimersByTimeAsync(90);
    w.saw(part('text-delta'));
    // Parts keep coming at 40 ms intervals, well past the first-token deadline: no abort.
    for (let i = 0; i < 5; i++) {
      await vi.advanceTimersByTimeAsync(40);
      w.saw(part('text-delta'));
    }
    expect(w.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(49);
    expect(w.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.signal.aborted).toBe(true);
    expect(w.error()).toMatchObject({ details: { deadline: 'stall', timeoutMs: 50 } });
    expect(w.error().message).toMatch(/the stream stalled for 50 ms/);
  });

  it('catches a stall sooner than the first-token deadline when the stall time is the shorter', async () => {
    const w = createStreamWatchdog({ modelId: 'p/m', totalMs: 10_000, firstTokenMs: 5_000, stallMs: 50 });
    await vi.advanceTimersByTimeAsync(10);
    w.saw(part('text-delta'));
    await vi.advanceTimersByTimeAsync(49);
    expect(w.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.signal.aborted).toBe(true);
    expect(w.error()).toMatchObject({ retryable: true, details: { deadline: 'stall' } });
  });

  it('aborts when the whole answer takes longer than the call’s limit, however steadily it streams', async () => {
    const w = createStreamWatchdog({ modelId: 'p/m', totalMs: 200, firstTokenMs: 100, stallMs: 50 });
    for (let i = 0; i < 9; i++) {
      await vi.advanceTimersByTimeAsync(20);
      w.saw(part('text-delta'));
    }
    expect(w.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    expect(w.signal.aborted).toBe(true);
    // Not retried on the same model: the whole limit was waited out once.
    expect(w.error()).toMatchObject({ code: 'model.timeout' });
    expect(w.error()).not.toHaveProperty('retryable');
    expect(w.error().message).toMatch(/no complete answer within 200 ms \(agents\.modelTimeoutMs\)/);
  });

  it('never aborts once stopped', async () => {
    const w = createStreamWatchdog({ modelId: 'p/m', totalMs: 10, firstTokenMs: 10, stallMs: 10 });
    w.stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(w.signal.aborted).toBe(false);
  });
});
