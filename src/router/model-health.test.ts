import { APICallError } from '@ai-sdk/provider';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentdError, ModelCallError } from '../core/errors.js';
import { createModelHealth } from './model-health.js';
import type { AttemptFailure, CircuitStatusEntry } from './model-health.js';
import { RouterConfigSchema } from './router-config.js';

const target = { id: 'p/m', provider: 'p' };

function health(overrides: { retry?: object; breaker?: object } = {}) {
  const config = RouterConfigSchema.parse({
    retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5, ...overrides.retry },
    breaker: {
      consecutiveFailures: 3,
      errorRate: 0.5,
      window: 10,
      minimumCalls: 6,
      halfOpenAfterMs: 60,
      ...overrides.breaker,
    },
  });
  return createModelHealth({ retry: config.retry, breaker: config.breaker });
}

function status(code: number, headers?: Record<string, string>) {
  return new APICallError({
    message: `status ${code}`,
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    statusCode: code,
    ...(headers ? { responseHeaders: headers } : {}),
    isRetryable: code === 429 || code >= 500,
  });
}

/** A call that fails with the given errors in turn, then answers 'ok'. */
function scripted(errors: unknown[]) {
  let calls = 0;
  const call = async () => {
    const error = errors[calls++];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { call, calls: () => calls };
}

const signal = new AbortController().signal;

// Retry delays and circuit half-open delays run on timers and Date: faked here, so each test says exactly
// how much time passes, and whether anything waited is read off the fake clock instead of a stopwatch.
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/**
 * Settles `promise`, firing every timer meanwhile; reports how much fake time had passed when it settled
 * (timers left behind, such as an abandoned retry delay, may fire later without counting).
 */
async function onFakeClock<T>(
  promise: Promise<T>,
): Promise<{ outcome: PromiseSettledResult<T>; tookMs: number }> {
  const started = Date.now();
  let tookMs = Number.NaN;
  const settled = Promise.allSettled([promise]).then(([outcome]) => {
    tookMs = Date.now() - started;
    return outcome as PromiseSettledResult<T>;
  });
  await vi.runAllTimersAsync();
  return { outcome: await settled, tookMs };
}

describe('model health: retries', () => {
  it('retries retryable failures and returns the eventual answer', async () => {
    const h = health();
    const failures: AttemptFailure[] = [];
    const { call, calls } = scripted([status(500), status(503)]);
    const { outcome } = await onFakeClock(
      h.execute(target, call, { signal, onFailure: (f) => failures.push(f) }),
    );
    expect(outcome).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(calls()).toBe(3);
    expect(failures.map((f) => [f.attempt, f.error.class])).toEqual([
      [1, 'server'],
      [2, 'server'],
    ]);
  });

  it('gives up after maxRetries and rethrows the original error', async () => {
    const h = health({ retry: { maxRetries: 1 } });
    const last = status(502);
    const { call, calls } = scripted([status(500), last, status(500)]);
    const { outcome } = await onFakeClock(h.execute(target, call, { signal }));
    expect(outcome).toEqual({ status: 'rejected', reason: last });
    expect(calls()).toBe(2);
  });

  it('does not retry errors a retry cannot fix, nor agentd’s own errors', async () => {
    const h = health();
    const bad = scripted([status(400)]);
    await expect(h.execute(target, bad.call, { signal })).rejects.toMatchObject({ statusCode: 400 });
    expect(bad.calls()).toBe(1);
    const budget = new AgentdError({ code: 'budget.exceeded', message: 'no money' });
    const own = scripted([budget]);
    await expect(h.execute(target, own.call, { signal })).rejects.toBe(budget);
    expect(own.calls()).toBe(1);
  });

  it('waits the Retry-After a 429 asks for before retrying', async () => {
    const h = health();
    const times: number[] = [];
    const call = async () => {
      times.push(Date.now());
      if (times.length === 1) throw status(429, { 'retry-after-ms': '60' });
      return 'ok';
    };
    const pending = h.execute(target, call, { signal });
    await vi.advanceTimersByTimeAsync(59);
    expect(times).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(pending).resolves.toBe('ok');
    expect(times.map((time) => time - (times[0] ?? 0))).toEqual([0, 60]);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs: it gives up at once', async () => {
    const h = health({ retry: { maxRetryAfterMs: 1000 } });
    const { call, calls } = scripted([status(429, { 'retry-after': '120' })]);
    const { outcome, tookMs } = await onFakeClock(h.execute(target, call, { signal }));
    expect(outcome).toMatchObject({ status: 'rejected', reason: { statusCode: 429 } });
    expect(calls()).toBe(1);
    // Not one timer was waited for: a wait of the 120 s asked for would show here as 120 000.
    expect(tookMs).toBe(0);
  });

  it('stops waiting for a retry as soon as the caller aborts', async () => {
    const h = health({ retry: { initialDelayMs: 5000, maxDelayMs: 5000 } });
    const controller = new AbortController();
    const { call, calls } = scripted([status(500), status(500)]);
    const pending = h.execute(target, call, { signal: controller.signal });
    // The first attempt failed and the retry waits for its 5 s delay.
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls()).toBe(1);
    controller.abort();
    let callsWhenSettled = Number.NaN;
    const { outcome, tookMs } = await onFakeClock(pending.finally(() => (callsWhenSettled = calls())));
    expect(outcome.status).toBe('rejected');
    // The abort ended the wait: none of the delay's remaining 4 s passed, and no retry was made first.
    expect(tookMs).toBe(0);
    expect(callsWhenSettled).toBe(1);
  });
});

describe('model health: rate limits and timeouts', () => {
  it('does not wait out a 429 while another model could take the call, and does when none could', async () => {
    const h = health();
    const elsewhere = scripted([status(429, { 'retry-after-ms': '50' })]);
    const { outcome } = await onFakeClock(
      h.execute(target, elsewhere.call, { signal, canFallBack: () => true }),
    );
    expect(outcome.status).toBe('rejected');
    expect(elsewhere.calls()).toBe(1);
    const nowhere = scripted([status(429, { 'retry-after-ms': '50' })]);
    const waited = await onFakeClock(h.execute(target, nowhere.call, { signal, canFallBack: () => false }));
    expect(waited.outcome).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(waited.tookMs).toBe(50);
  });

  it('keeps a rate-limited model in its window: the Retry-After asked for, else a default', async () => {
    const h = health({ retry: { maxRetries: 0 } });
    const start = Date.now();
    await h.execute(target, scripted([status(429, { 'retry-after': '3' })]).call, { signal }).catch(() => {});
    expect(h.rateLimitedUntil('p/m')).toBe(start + 3000);
    expect(h.rateLimits()).toEqual([{ id: 'p/m', until: start + 3000 }]);
    // Still available: a rate-limited model is tried last, not ruled out.
    expect(h.available(target)).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(h.rateLimitedUntil('p/m')).toBeUndefined();
    await h.execute(target, scripted([status(429)]).call, { signal }).catch(() => {});
    expect(h.rateLimitedUntil('p/m')).toBe(Date.now() + 5000);
  });

  it('retries a retryable timeout once, however many retries are allowed', async () => {
    const h = health({ retry: { maxRetries: 5 } });
    const stalled = () =>
      new ModelCallError({
        code: 'model.timeout',
        retryable: true,
        message: 'p/m: no first token within 10 ms',
      });
    const { call, calls } = scripted([stalled(), stalled(), stalled()]);
    const { outcome } = await onFakeClock(h.execute(target, call, { signal }));
    expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'model.timeout' } });
    expect(calls()).toBe(2);
  });
});

describe('model health: persisted', () => {
  it('hands out what changed once, and another health restores an open circuit and a rate-limit window from it', async () => {
    const changes: number[] = [];
    const config = RouterConfigSchema.parse({
      retry: { maxRetries: 0 },
      breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60 },
    });
    const h = createModelHealth({ ...config, onChange: () => changes.push(Date.now()) });
    for (const error of [status(500), status(429, { 'retry-after': '1' })])
      await h.execute(target, scripted([error]).call, { signal }).catch(() => {});
    expect(changes.length).toBeGreaterThan(0);
    const records = h.takeChanged();
    expect(records).toContainEqual({
      scope: 'model',
      id: 'p/m',
      state: 'open',
      openedAt: Date.now(),
      rateLimitedUntil: Date.now() + 1000,
      updatedAt: Date.now(),
    });
    expect(h.takeChanged()).toEqual([]);

    const other = createModelHealth(config);
    other.restore(records);
    expect(other.available(target)).toBe(false);
    expect(other.rateLimitedUntil('p/m')).toBe(Date.now() + 1000);
    await expect(other.execute(target, scripted([]).call, { signal })).rejects.toMatchObject({
      code: 'model.circuit_open',
    });
    // Its half-open delay runs from when the circuit opened in the first one.
    await vi.advanceTimersByTimeAsync(60);
    expect(other.available(target)).toBe(true);
    await expect(other.execute(target, scripted([]).call, { signal })).resolves.toBe('ok');
    expect(other.states().every((c) => c.state === 'closed')).toBe(true);
  });

  it('ignores closed records and windows that have passed', () => {
    const h = health();
    h.restore([
      {
        scope: 'model',
        id: 'p/m',
        state: 'closed',
        openedAt: null,
        rateLimitedUntil: Date.now() - 1,
        updatedAt: 0,
      },
    ]);
    expect(h.states()).toEqual([]);
    expect(h.rateLimits()).toEqual([]);
  });
});

describe('model health: circuit breakers', () => {
  it('opens a model’s circuit after consecutive failures, then admits one probe after the delay', async () => {
    const h = health({ retry: { maxRetries: 0 } });
    const changes: CircuitStatusEntry[] = [];
    h.onStateChange((change) => changes.push(change));
    for (let i = 0; i < 3; i++)
      await h.execute(target, scripted([status(500)]).call, { signal }).catch(() => {});
    expect(h.available(target)).toBe(false);
    await expect(h.execute(target, scripted([]).call, { signal })).rejects.toMatchObject({
      code: 'model.circuit_open',
    });
    expect(h.states().find((s) => s.scope === 'model')?.state).toBe('open');
    await vi.advanceTimersByTimeAsync(59);
    expect(h.available(target)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.available(target)).toBe(true);
    expect(h.states().find((s) => s.scope === 'model')?.state).toBe('half-open');
    // The probe fails: open again.
    await h.execute(target, scripted([status(500)]).call, { signal }).catch(() => {});
    expect(h.available(target)).toBe(false);
    await vi.advanceTimersByTimeAsync(60);
    // The next probe succeeds: closed.
    await expect(h.execute(target, scripted([]).call, { signal })).resolves.toBe('ok');
    expect(h.available(target)).toBe(true);
    expect(h.states().every((s) => s.state === 'closed')).toBe(true);
    expect(changes.filter((c) => c.scope === 'model').map((c) => c.state)).toEqual([
      'open',
      'half-open',
      'open',
      'half-open',
      'closed',
    ]);
  });

  it('opens on the error rate over the window even without a run of consecutive failures', async () => {
    const h = health({ retry: { maxRetries: 0 }, breaker: { consecutiveFailures: 100 } });
    // fail, ok, fail, ok, fail, fail, …: never 3 in a row until the share passes 50% of ≥ 6 calls.
    const pattern = [true, false, true, false, true, true, false, true];
    for (const fails of pattern) {
      if (!h.available(target)) break;
      await h.execute(target, scripted(fails ? [status(500)] : []).call, { signal }).catch(() => {});
    }
    expect(h.available(target)).toBe(false);
  });

  it('an open provider circuit makes every model of that provider unavailable', async () => {
    const h = health({ retry: { maxRetries: 0 } });
    // Three different models of provider p cannot reach it: the provider fails three times in a row.
    for (const id of ['p/a', 'p/b', 'p/c']) {
      await h
        .execute({ id, provider: 'p' }, scripted([new TypeError('fetch failed')]).call, { signal })
        .catch(() => {});
    }
    expect(h.available({ id: 'p/d', provider: 'p' })).toBe(false);
    expect(h.available({ id: 'q/d', provider: 'q' })).toBe(true);
    expect(h.states().find((s) => s.scope === 'provider' && s.id === 'p')?.state).toBe('open');
  });

  it('one model answering 5xx or 429 closes its own circuit, not its siblings on the same provider', async () => {
    const h = health({ retry: { maxRetries: 0 } });
    for (let i = 0; i < 6; i++) {
      const error = i % 2 === 0 ? status(500) : status(429, { 'retry-after': '0' });
      await h.execute({ id: 'p/broken', provider: 'p' }, scripted([error]).call, { signal }).catch(() => {});
    }
    expect(h.available({ id: 'p/broken', provider: 'p' })).toBe(false);
    expect(h.available({ id: 'p/good', provider: 'p' })).toBe(true);
    await expect(h.execute({ id: 'p/good', provider: 'p' }, scripted([]).call, { signal })).resolves.toBe(
      'ok',
    );
  });

  it('bad requests, refusals and agentd errors do not count against a circuit', async () => {
    const h = health({ retry: { maxRetries: 0 } });
    const harmless = [status(400), status(401), new AgentdError({ code: 'budget.exceeded', message: 'x' })];
    for (let i = 0; i < 3; i++) {
      for (const error of harmless)
        await h.execute(target, scripted([error]).call, { signal }).catch(() => {});
    }
    expect(h.available(target)).toBe(true);
  });

  it('429s count against a circuit, with a short Retry-After or without one', async () => {
    for (const headers of [{ 'retry-after-ms': '1' }, undefined]) {
      const h = health({ retry: { maxRetries: 0 } });
      for (let i = 0; i < 3; i++)
        await h.execute(target, scripted([status(429, headers)]).call, { signal }).catch(() => {});
      expect(h.available(target)).toBe(false);
    }
  });
});
