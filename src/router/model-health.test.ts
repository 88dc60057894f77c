import { APICallError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
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
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('model health: retries', () => {
  it('retries retryable failures and returns the eventual answer', async () => {
    const h = health();
    const failures: AttemptFailure[] = [];
    const { call, calls } = scripted([status(500), status(503)]);
    await expect(h.execute(target, call, { signal, onFailure: (f) => failures.push(f) })).resolves.toBe('ok');
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
    await expect(h.execute(target, call, { signal })).rejects.toBe(last);
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
    let n = 0;
    const call = async () => {
      times.push(Date.now());
      if (n++ === 0) throw status(429, { 'retry-after-ms': '60' });
      return 'ok';
    };
    await expect(h.execute(target, call, { signal })).resolves.toBe('ok');
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(59);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs: it gives up at once', async () => {
    const h = health({ retry: { maxRetryAfterMs: 1000 } });
    const { call, calls } = scripted([status(429, { 'retry-after': '120' })]);
    const started = Date.now();
    await expect(h.execute(target, call, { signal })).rejects.toMatchObject({ statusCode: 429 });
    expect(calls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('stops waiting for a retry as soon as the caller aborts', async () => {
    const h = health({ retry: { initialDelayMs: 5000, maxDelayMs: 5000 } });
    const controller = new AbortController();
    const { call } = scripted([status(500), status(500)]);
    const started = Date.now();
    const pending = h.execute(target, call, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toBeDefined();
    expect(Date.now() - started).toBeLessThan(1000);
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
    await sleep(70);
    expect(h.available(target)).toBe(true);
    expect(h.states().find((s) => s.scope === 'model')?.state).toBe('half-open');
    // The probe fails: open again.
    await h.execute(target, scripted([status(500)]).call, { signal }).catch(() => {});
    expect(h.available(target)).toBe(false);
    await sleep(70);
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
    // Three different models of provider p fail once each: the provider fails three times in a row.
    for (const id of ['p/a', 'p/b', 'p/c']) {
      await h.execute({ id, provider: 'p' }, scripted([status(503)]).call, { signal }).catch(() => {});
    }
    expect(h.available({ id: 'p/d', provider: 'p' })).toBe(false);
    expect(h.available({ id: 'q/d', provider: 'q' })).toBe(true);
    expect(h.states().find((s) => s.scope === 'provider' && s.id === 'p')?.state).toBe('open');
  });

  it('bad requests, refusals, waitable 429s and agentd errors do not count against a circuit', async () => {
    const h = health({ retry: { maxRetries: 0 } });
    const harmless = [
      status(400),
      status(401),
      status(429, { 'retry-after-ms': '1' }),
      new AgentdError({ code: 'budget.exceeded', message: 'x' }),
    ];
    for (let i = 0; i < 3; i++) {
      for (const error of harmless)
        await h.execute(target, scripted([error]).call, { signal }).catch(() => {});
    }
    expect(h.available(target)).toBe(true);
    // A 429 without a usable Retry-After does count.
    for (let i = 0; i < 3; i++)
      await h.execute(target, scripted([status(429)]).call, { signal }).catch(() => {});
    expect(h.available(target)).toBe(false);
  });
});
