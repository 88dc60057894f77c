import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskEvent } from '../core/events.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { SpanRecord } from '../store/trace-store.js';
import type { FakeReply } from '../testing/fake-openai-server.js';
import { createFakeProvidersRuntime } from '../testing/fake-providers-runtime.js';
import type { FakeProvidersRuntime, FakeProviderSpec } from '../testing/fake-providers-runtime.js';
import { until } from '../testing/until.js';
import type { Runtime } from './runtime.js';

// Provider failure modes over the real OpenAI wire protocol: a stream that breaks off mid-answer, a
// 429 with a short Retry-After, a provider that hangs before its first byte or stalls between
// chunks. Each run has a failing provider (the cheapest, so the router tries it first) and a
// healthy backup.

let setup: FakeProvidersRuntime | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await setup?.close();
  setup = undefined;
});

const backup: FakeProviderSpec = { name: 'backup', price: [1, 4], script: () => ({ text: 'from backup' }) };

async function start(
  failing: Omit<FakeProviderSpec, 'price'>,
  config: Record<string, unknown> = {},
  others: FakeProviderSpec[] = [backup],
): Promise<FakeProvidersRuntime> {
  setup = await createFakeProvidersRuntime({
    providers: [{ price: [0.1, 0.4], ...failing }, ...others],
    config: {
      router: {
        retry: { maxRetries: 1, initialDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 30_000 },
        breaker: {
          consecutiveFailures: 3,
          errorRate: 0.5,
          window: 10,
          minimumCalls: 5,
          halfOpenAfterMs: 60_000,
        },
        ...(config['router'] as object | undefined),
      },
      ...Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'router')),
    },
  });
  return setup;
}

/** Runs a task while following its live events (text deltas included); the first model call waits for `following`. */
async function runFollowed(
  runtime: Runtime,
  prompt: string,
): Promise<{ output: string | null; events: TaskEvent[] }> {
  const submitted = await runtime.tasks.submit({ prompt });
  const events: TaskEvent[] = [];
  for await (const event of runtime.tasks.events(submitted.id)) events.push(event);
  const result = await runtime.tasks.wait(submitted.id);
  expect(result.error).toBeNull();
  return { output: result.output, events };
}

const chatSpans = async (runtime: Runtime, taskId: string): Promise<SpanRecord[]> =>
  (await runtime.tasks.spans(taskId)).filter((s) => s.kind === 'model');

function gate(): { open(): void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { open, wait };
}

describe('a stream that breaks off mid-answer', () => {
  it('is retried on the same model with the partial text discarded, and live views are told to restart', async () => {
    const subscribed = gate();
    const { runtime, chatRequests } = await start({
      name: 'breaking',
      script: async (_request, index): Promise<FakeReply> => {
        // The first answer waits until the test follows the task's live events.
        if (index === 0) await subscribed.wait;
        return index === 0
          ? { text: 'alpha beta gamma delta', breakAfterChunks: 2 }
          : { text: 'alpha beta gamma delta' };
      },
    });
    const submitted = await runtime.tasks.submit({ prompt: 'say four words' });
    const events: TaskEvent[] = [];
    const following = (async () => {
      for await (const event of runtime.tasks.events(submitted.id)) {
        events.push(event);
        if (event.type === 'step-start') subscribed.open();
      }
    })();
    const result = await runtime.tasks.wait(submitted.id);
    await following;

    expect(result.error).toBeNull();
    expect(result.output).toBe('alpha beta gamma delta');
    expect(chatRequests('breaking')).toBe(2);
    expect(chatRequests('backup')).toBe(0);
    // The partial answer was shown, then withdrawn, then the whole answer followed.
    const live = events
      .filter((e) => e.type === 'text-delta' || e.type === 'step-restart')
      .map((e) => (e.type === 'text-delta' ? e.data.delta : '<restart>'));
    expect(live).toEqual(['alpha ', 'beta ', '<restart>', 'alpha ', 'beta ', 'gamma ', 'delta']);
    const restart = events.find((e) => e.type === 'step-restart');
    expect(restart?.type === 'step-restart' && restart.data.reason.code).toBe('model.unreachable');

    // The broken attempt counts as an error of the model, classed `connection`.
    const stat = runtime.router.stats().stats.find((s) => s.modelId === 'breaking/chat' && s.kind === '*');
    expect(stat).toMatchObject({ calls: 1, errors: 1 });
    const spans = await chatSpans(runtime, submitted.id);
    expect(spans.map((s) => s.status)).toEqual(['error', 'ok']);
    expect(spans[0]?.attributes['agentd.error.class']).toBe('connection');
  });

  it('falls back to another model when the stream keeps breaking, and opens the circuit', async () => {
    const { runtime, chatRequests } = await start({
      name: 'breaking',
      script: () => ({ text: 'alpha beta gamma delta', breakAfterChunks: 1 }),
    });
    const outputs: (string | null)[] = [];
    for (let i = 0; i < 4; i++) outputs.push((await runFollowed(runtime, `task ${i}`)).output);
    expect(outputs).toEqual(['from backup', 'from backup', 'from backup', 'from backup']);
    // Two attempts for the first task (one retry), the third failure (the second task's first try)
    // opens the circuit, and no call goes there after that.
    expect(chatRequests('breaking')).toBe(3);
    expect(runtime.router.stats().circuits).toContainEqual(
      expect.objectContaining({ scope: 'model', id: 'breaking/chat', state: 'open' }),
    );
  });
});

describe('a 429 with a short Retry-After', () => {
  const limited = (retryAfterMs: number, answerAfter = Infinity): Omit<FakeProviderSpec, 'price'> => ({
    name: 'limited',
    script: (_request, index) =>
      index < answerAfter
        ? { status: 429, headers: { 'retry-after-ms': String(retryAfterMs) }, errorMessage: 'slow down' }
        : { text: 'from limited' },
  });

  it('falls back at once when another model can take the call, and deprioritises the limited one for the window', async () => {
    // Date is the test's: the Retry-After window passes only when the test moves the clock.
    vi.useFakeTimers({ toFake: ['Date'] });
    const { runtime, chatRequests } = await start(limited(20_000));
    const first = await runtime.tasks.run({ prompt: 'task 1' });
    expect(first.output).toBe('from backup');
    // Not retried on the limited model: another one could answer now.
    expect(chatRequests('limited')).toBe(1);

    // Within the window the limited model is tried last, so not at all.
    const second = await runtime.tasks.run({ prompt: 'task 2' });
    expect(second.output).toBe('from backup');
    expect(chatRequests('limited')).toBe(1);
    const decision = (await runtime.tasks.spans(second.id)).find((s) => s.name === 'router.decision');
    expect(decision?.attributes['agentd.router.chosen']).toBe('backup/chat');
    expect(String(decision?.attributes['agentd.router.reason'])).toMatch(/rate-limited/);

    // Once the window has passed it is first again.
    vi.setSystemTime(Date.now() + 20_001);
    await runtime.tasks.run({ prompt: 'task 3' });
    expect(chatRequests('limited')).toBe(2);
  });

  it('waits for the Retry-After when no other model can take the call', async () => {
    const { runtime, chatRequests } = await start(limited(50, 1), {}, []);
    const result = await runtime.tasks.run({ prompt: 'task 1' });
    expect(result.output).toBe('from limited');
    expect(chatRequests('limited')).toBe(2);
  });

  it('counts against the circuit, which opens when the model keeps refusing', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { runtime, chatRequests } = await start(limited(1_000));
    for (let i = 0; i < 5; i++) {
      expect((await runtime.tasks.run({ prompt: `task ${i}` })).output).toBe('from backup');
      // Past the window, so that the next task tries the limited model first again.
      vi.setSystemTime(Date.now() + 1_001);
    }
    // Three refusals open the circuit; later tasks do not call it.
    expect(chatRequests('limited')).toBe(3);
    expect(runtime.router.stats().circuits).toContainEqual(
      expect.objectContaining({ scope: 'model', id: 'limited/chat', state: 'open' }),
    );
    const stat = runtime.router.stats().stats.find((s) => s.modelId === 'limited/chat' && s.kind === '*');
    expect(stat?.errors).toBe(3);
  });
});

describe('a hung provider', () => {
  it('times out waiting for the first token, retries once, then falls back', async () => {
    const { runtime, chatRequests } = await start({
      name: 'hung',
      script: () => ({ hang: true }),
      timeouts: { firstTokenMs: 200 },
    });
    const result = await runtime.tasks.run({ prompt: 'task 1' });
    expect(result.output).toBe('from backup');
    expect(chatRequests('hung')).toBe(2);
    const spans = await chatSpans(runtime, result.id);
    expect(
      spans.map((s) => [s.attributes['gen_ai.provider.name'], s.status, s.attributes['agentd.error.class']]),
    ).toEqual([
      ['hung', 'error', 'timeout'],
      ['hung', 'error', 'timeout'],
      ['backup', 'ok', undefined],
    ]);
    expect(spans[0]?.attributes['error.type']).toBe('model.timeout');
  });

  it('times out a stream that stalls between chunks, tells live views to restart, retries once, then falls back', async () => {
    const { runtime, chatRequests } = await start({
      name: 'stalling',
      script: () => ({ text: 'alpha beta gamma', stallAfterChunks: 1 }),
      timeouts: { stallMs: 200 },
    });
    const { output, events } = await runFollowed(runtime, 'task 1');
    expect(output).toBe('from backup');
    expect(chatRequests('stalling')).toBe(2);
    const restarts = events.filter((e) => e.type === 'step-restart');
    expect(restarts.map((e) => e.type === 'step-restart' && e.data.reason.code)).toEqual([
      'model.timeout',
      'model.timeout',
    ]);
  });

  it('takes the global first-token timeout when the model sets none', async () => {
    const { runtime, chatRequests } = await start(
      { name: 'hung', script: () => ({ hang: true }) },
      { agents: { firstTokenTimeoutMs: 200 } },
    );
    expect((await runtime.tasks.run({ prompt: 'task 1' })).output).toBe('from backup');
    expect(chatRequests('hung')).toBe(2);
  });
});

describe('failed chat spans', () => {
  it('record the error class and the provider’s HTTP status', async () => {
    const { runtime } = await start(
      { name: 'failing', script: () => ({ status: 500, errorMessage: 'outage' }) },
      { router: { retry: { maxRetries: 0 } } },
      [
        {
          name: 'limited',
          price: [0.5, 2],
          script: () => ({ status: 429, headers: { 'retry-after': '60' }, errorMessage: 'later' }),
        },
        backup,
      ],
    );
    const result = await runtime.tasks.run({ prompt: 'task 1' });
    expect(result.output).toBe('from backup');
    const failed = (await chatSpans(runtime, result.id)).filter((s) => s.status === 'error');
    expect(
      failed.map((s) => ({
        model: s.attributes['gen_ai.provider.name'],
        type: s.attributes['error.type'],
        class: s.attributes['agentd.error.class'],
        status: s.attributes['http.response.status_code'],
      })),
    ).toEqual([
      { model: 'failing', type: 'model.call_failed', class: 'server', status: 500 },
      { model: 'limited', type: 'model.rate_limited', class: 'rate_limit', status: 429 },
    ]);
  });
});

describe('circuits seen from another process', () => {
  it('shows a circuit another runtime opened, once its batch is written, and routes around it', async () => {
    const { runtime, home, reopen, chatRequests } = await start(
      { name: 'failing', script: () => ({ status: 500, errorMessage: 'outage' }) },
      { router: { retry: { maxRetries: 0 } } },
    );
    for (let i = 0; i < 3; i++) await runtime.tasks.run({ prompt: `task ${i}` });
    expect(runtime.router.stats().circuits).toContainEqual(
      expect.objectContaining({ scope: 'model', id: 'failing/chat', state: 'open' }),
    );
    // The first runtime keeps running; its router writes what changed within a second.
    const stores = openSqliteStores({ path: join(home, 'agentd.db') });
    try {
      await until(async () =>
        (await stores.router.listHealth()).some((r) => r.id === 'failing/chat' && r.state === 'open'),
      );
    } finally {
      await stores.close();
    }
    const other = await reopen();
    expect(other.router.stats().circuits).toContainEqual(
      expect.objectContaining({ scope: 'model', id: 'failing/chat', state: 'open' }),
    );
    const before = chatRequests('failing');
    expect((await other.tasks.run({ prompt: 'task 4' })).output).toBe('from backup');
    expect(chatRequests('failing')).toBe(before);
  });
});
