import { APICallError } from '@ai-sdk/provider';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError, BudgetExceededError, ModelCallError } from '../core/errors.js';
import type { ModelInfo, ResolvedModel } from '../models/index.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import { createModelRouter } from './model-router.js';
import type { RouteRequest } from './model-router.js';
import { RouterConfigSchema } from './router-config.js';

function info(id: string, price: number, extra: Partial<ModelInfo> = {}): ModelInfo {
  const [provider = '', model = ''] = id.split('/');
  return {
    id,
    provider,
    model,
    inputPerMTok: price,
    outputPerMTok: price,
    contextWindow: 100_000,
    capabilities: { tools: true, json: true, vision: false },
    quality: { default: 0.8 },
    known: true,
    simulated: false,
    ...extra,
  };
}

const models = [
  info('a/cheap', 0.1, { contextWindow: 8_000 }),
  info('b/mid', 1),
  info('c/big', 5, { contextWindow: 1_000_000 }),
];

let stores: Stores | undefined;
afterEach(async () => {
  await stores?.close();
  stores = undefined;
});

function router(config: Record<string, unknown> = {}, list: ModelInfo[] = models, now?: () => number) {
  stores ??= openSqliteStores({ path: ':memory:' });
  return createModelRouter({
    ...(now ? { now } : {}),
    config: RouterConfigSchema.parse({ retry: { maxRetries: 0 }, exploration: { share: 0 }, ...config }),
    candidates: () => list,
    resolve: (id) => {
      const found = list.find((m) => m.id === id);
      if (!found) throw new AgentdError({ code: 'model.not_found', message: id });
      return { info: found, local: false, model: undefined as unknown as ResolvedModel['model'] };
    },
    store: stores.router,
  });
}

const ask: RouteRequest = { kind: 'chat', needs: {}, inputTokens: 1000, maxOutputTokens: 1000 };
const signal = new AbortController().signal;

function http(statusCode: number, body = '') {
  return new APICallError({
    message: `status ${statusCode}: ${body}`,
    url: 'http://127.0.0.1',
    requestBodyValues: {},
    statusCode,
    responseBody: body,
    isRetryable: statusCode >= 500,
  });
}

/** An attempt that fails on the listed models and answers on the others; records the order tried. */
function attempts(failOn: Record<string, unknown>) {
  const tried: string[] = [];
  const attempt = async (model: ResolvedModel) => {
    tried.push(model.info.id);
    const error = failOn[model.info.id];
    if (error) throw error;
    return {
      value: `answer from ${model.info.id}`,
      usage: { costUsd: 0.001, inputTokens: 10, outputTokens: 5 },
    };
  };
  return { attempt, tried };
}

describe('model router', () => {
  it("leaves the time an attempt waited for its budget out of the model's latency", async () => {
    let time = 1_000;
    const r = router({}, models, () => time);
    await r.call(
      { ...ask, pinned: 'a/cheap' },
      async () => {
        time += 500;
        return { value: 'ok', usage: { costUsd: 0, inputTokens: 1, outputTokens: 1 }, waitedMs: 400 };
      },
      { signal },
    );
    expect(r.stats().find((s) => s.modelId === 'a/cheap' && s.kind === '*')?.p50Ms).toBe(100);
  });

  it("learns each kind's output length (p95 of the recent calls) and counts usage past max_tokens", async () => {
    const r = router();
    expect(r.expectedOutputTokens({ modelId: 'a/cheap', kind: 'chat' })).toBeUndefined();
    const outputs = [
      100, 120, 90, 110, 400, 105, 95, 115, 100, 98, 102, 99, 101, 97, 103, 104, 96, 108, 92, 94,
    ];
    for (const outputTokens of outputs) {
      await r.call(
        { ...ask, pinned: 'a/cheap' },
        async () => ({ value: 'ok', usage: { costUsd: 0, inputTokens: 10, outputTokens } }),
        { signal },
      );
    }
    // 20 samples: the 19th smallest (nearest rank), so one outlier of 400 does not set the estimate.
    expect(r.expectedOutputTokens({ modelId: 'a/cheap', kind: 'chat' })).toBe(120);
    // Another kind's outputs say nothing of this one.
    expect(r.expectedOutputTokens({ modelId: 'a/cheap', kind: 'code' })).toBeUndefined();
    expect(r.stats().find((s) => s.modelId === 'a/cheap' && s.kind === '*')).toMatchObject({
      calls: 20,
      overMaxTokensCalls: 0,
    });

    await r.call(
      { ...ask, pinned: 'a/cheap', maxOutputTokens: 50 },
      async () => ({ value: 'ok', usage: { costUsd: 0, inputTokens: 10, outputTokens: 51 } }),
      { signal },
    );
    const counted = r.stats().filter((s) => s.modelId === 'a/cheap');
    expect(counted.map((s) => [s.kind, s.overMaxTokensCalls])).toEqual([
      ['*', 1],
      ['chat', 1],
    ]);
  });

  it('falls back down the ranking when a model fails with a server error', async () => {
    const r = router();
    const { attempt, tried } = attempts({ 'a/cheap': http(500) });
    const result = await r.call(ask, attempt, { signal });
    expect(result.value).toBe('answer from b/mid');
    expect(tried).toEqual(['a/cheap', 'b/mid']);
    expect(result.decision.order).toEqual(['a/cheap', 'b/mid', 'c/big']);
  });

  it('after a context-length error, tries only models with a larger context window', async () => {
    const r = router();
    const tooLong = http(400, '{"error":{"code":"context_length_exceeded"}}');
    const { attempt, tried } = attempts({ 'a/cheap': tooLong, 'b/mid': tooLong });
    const result = await r.call(ask, attempt, { signal });
    expect(tried).toEqual(['a/cheap', 'b/mid', 'c/big']);
    expect(result.model.info.id).toBe('c/big');
  });

  it('sends a refused call only to the configured refusal fallback', async () => {
    const refusal = http(400, '{"error":{"code":"content_filter"}}');
    const without = attempts({ 'a/cheap': refusal });
    await expect(router().call(ask, without.attempt, { signal })).rejects.toMatchObject({
      code: 'model.refused',
    });
    expect(without.tried).toEqual(['a/cheap']);
    const withFallback = attempts({ 'a/cheap': refusal });
    const result = await router({ refusalFallback: 'c/big' }).call(ask, withFallback.attempt, { signal });
    expect(withFallback.tried).toEqual(['a/cheap', 'c/big']);
    expect(result.value).toBe('answer from c/big');
  });

  it('surfaces an auth error at once, naming the model, without trying others', async () => {
    const { attempt, tried } = attempts({ 'a/cheap': http(401, 'Incorrect API key') });
    const error = await router()
      .call(ask, attempt, { signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model.auth_failed', category: 'invalid' });
    expect((error as Error).message).toMatch(/^a\/cheap: status 401/);
    expect(tried).toEqual(['a/cheap']);
  });

  it('names every model and its failure when all fail', async () => {
    const { attempt } = attempts({ 'a/cheap': http(500), 'b/mid': http(503), 'c/big': http(502) });
    const error = await router()
      .call(ask, attempt, { signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model.call_failed', category: 'upstream' });
    expect((error as Error).message).toMatch(/a\/cheap: server 500; b\/mid: server 503; c\/big: server 502/);
  });

  it('reports the failure behind an open circuit rather than the open circuit', async () => {
    const open = new AgentdError({
      code: 'model.circuit_open',
      message: 'b/mid: the provider circuit is open',
    });
    const { attempt } = attempts({ 'a/cheap': http(500), 'b/mid': open, 'c/big': open });
    const error = await router()
      .call(ask, attempt, { signal })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model.call_failed', details: { class: 'server' } });
    expect((error as Error).message).toMatch(/circuit_open\); first: a\/cheap: status 500/);
  });

  it('passes agentd’s own errors (budget) through without falling back', async () => {
    const budget = new BudgetExceededError({ message: 'over' });
    const { attempt, tried } = attempts({ 'a/cheap': budget });
    await expect(router().call(ask, attempt, { signal })).rejects.toBe(budget);
    expect(tried).toEqual(['a/cheap']);
  });

  it('treats a stream broken off after its text was shown as a connection failure: retried, counted, then fallen back from', async () => {
    const broken = new ModelCallError({
      code: 'model.stream_interrupted',
      retryable: true,
      message: 'a/cheap: the answer broke off after it had started (terminated)',
      cause: Object.assign(new TypeError('terminated'), {
        cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      }),
    });
    const { attempt, tried } = attempts({ 'a/cheap': broken });
    const result = await router({ retry: { maxRetries: 1, initialDelayMs: 1 } }).call(ask, attempt, {
      signal,
    });
    expect(tried).toEqual(['a/cheap', 'a/cheap', 'b/mid']);
    expect(result.value).toBe('answer from b/mid');
  });

  it('falls back from a 429 at once and tries the rate-limited model last until its Retry-After has passed', async () => {
    let clock = 1_000_000;
    const r = router({ retry: { maxRetries: 2, initialDelayMs: 1 } }, models, () => clock);
    const limited = new APICallError({
      message: 'slow down',
      url: 'http://127.0.0.1',
      requestBodyValues: {},
      statusCode: 429,
      responseHeaders: { 'retry-after-ms': '5000' },
      isRetryable: true,
    });
    const first = attempts({ 'a/cheap': limited });
    expect((await r.call(ask, first.attempt, { signal })).value).toBe('answer from b/mid');
    // Not retried on a/cheap although retries were allowed: b/mid could take the call.
    expect(first.tried).toEqual(['a/cheap', 'b/mid']);
    const during = r.decide(ask);
    expect(during.order).toEqual(['b/mid', 'c/big', 'a/cheap']);
    expect(during.reason).toMatch(/tried last, rate-limited: a\/cheap for 5 s/);
    expect(r.health.rateLimits()).toEqual([{ id: 'a/cheap', until: 1_005_000 }]);
    // A pinned model (an agent's, or models.default) is demoted too.
    expect(r.decide({ ...ask, pinned: 'a/cheap' }).order.at(-1)).toBe('a/cheap');
    clock += 5_000;
    expect(r.decide(ask).order[0]).toBe('a/cheap');
    expect(r.decide({ ...ask, pinned: 'a/cheap' }).order[0]).toBe('a/cheap');
    expect(r.health.rateLimits()).toEqual([]);
  });

  it('persists an open circuit with its knowledge, and a router started later treats it as open', async () => {
    const first = router({ breaker: { consecutiveFailures: 2 } });
    const { attempt } = attempts({ 'a/cheap': http(500) });
    await first.call(ask, attempt, { signal });
    await first.call(ask, attempt, { signal });
    expect(first.health.available({ id: 'a/cheap', provider: 'a' })).toBe(false);
    await first.flush();
    const second = router({ breaker: { consecutiveFailures: 2 } });
    await second.load();
    expect(second.health.states()).toContainEqual(
      expect.objectContaining({ scope: 'model', id: 'a/cheap', state: 'open' }),
    );
    expect(second.decide(ask).order).toEqual(['b/mid', 'c/big']);
  });

  it('learns latency, errors, spend and quality, persists them, and a new router reads them back', async () => {
    const first = router();
    const { attempt } = attempts({ 'a/cheap': http(500) });
    await first.call({ ...ask, kind: 'code' }, attempt, { signal });
    first.observe({ modelId: 'b/mid', kind: 'code', pass: true });
    first.observe({ modelId: 'b/mid', kind: 'code', score: 0.5 });
    await first.flush();
    const before = first.stats();
    const second = router();
    await second.load();
    expect(second.stats()).toEqual(before);
    const mid = before.find((s) => s.modelId === 'b/mid' && s.kind === 'code');
    expect(mid).toMatchObject({ calls: 1, errors: 0, costUsd: 0.001 });
    expect(mid?.quality.observations).toBe(2);
    // Beta with prior 0.8 × 4: (3.2 + 1.5) / (4 + 2)
    expect(mid?.quality.mean).toBeCloseTo(4.7 / 6, 10);
    expect(before.find((s) => s.modelId === 'a/cheap' && s.kind === '*')).toMatchObject({
      calls: 0,
      errors: 1,
    });
  });

  it('learns each model’s latency on its clock, from sending a call to its answer, and ranks by it', async () => {
    let clock = 1_000_000;
    const r = router({}, models, () => clock);
    // Each model takes a known time on the router's clock; the failed call to a/cheap is not a latency.
    const takes: Record<string, number> = { 'b/mid': 40, 'c/big': 250 };
    const attempt = async (model: ResolvedModel) => {
      clock += takes[model.info.id] ?? 0;
      return { value: model.info.id, usage: { costUsd: 0, inputTokens: 1, outputTokens: 1 } };
    };
    for (const pinned of ['b/mid', 'c/big', 'b/mid', 'c/big']) {
      expect((await r.call({ ...ask, pinned }, attempt, { signal })).value).toBe(pinned);
    }
    const latency = (id: string) => r.stats().find((s) => s.modelId === id && s.kind === '*');
    expect(latency('b/mid')).toMatchObject({ calls: 2, p50Ms: 40, p95Ms: 40 });
    expect(latency('c/big')).toMatchObject({ calls: 2, p50Ms: 250, p95Ms: 250 });
    expect(latency('a/cheap')).toBeUndefined();
    // A latency cap rules out the model whose p95 is over it, and only that one.
    const capped = r.decide({ ...ask, constraints: { maxLatencyMs: 100 } });
    expect(capped.order).toContain('b/mid');
    expect(capped.order).not.toContain('c/big');
  });

  it('keeps explorations under the configured share of calls', async () => {
    const r = router({ exploration: { share: 0.2, seed: 9 }, objective: 'best' });
    // Uncertain qualities make Thompson draws disagree with the means often.
    let explored = 0;
    for (let i = 0; i < 500; i++) if (r.decide(ask).explored) explored++;
    expect(explored).toBeGreaterThan(20);
    expect(explored).toBeLessThanOrEqual(0.2 * 500 + 1);
    // Explanations never explore and are not counted.
    for (let i = 0; i < 50; i++) expect(r.decide(ask, { explain: true }).explored).toBe(false);
  });

  it('routes a pinned model that the catalog does not list', async () => {
    const extra = info('d/local', 0);
    const list = [...models];
    const r = createModelRouter({
      config: RouterConfigSchema.parse({}),
      candidates: () => list,
      resolve: (id) => ({
        info: id === 'd/local' ? extra : (list.find((m) => m.id === id) as ModelInfo),
        local: true,
        model: undefined as unknown as ResolvedModel['model'],
      }),
      store: (stores ??= openSqliteStores({ path: ':memory:' })).router,
    });
    expect(r.decide({ ...ask, pinned: 'd/local' }).order[0]).toBe('d/local');
  });

  it('applies a new config on reconfigure, keeping what it learned', async () => {
    const r = router();
    r.observe({ modelId: 'c/big', kind: 'chat', pass: true });
    expect(r.decide(ask).order[0]).toBe('a/cheap');
    r.reconfigure(RouterConfigSchema.parse({ objective: 'best', exploration: { share: 0 } }));
    expect(r.decide(ask).order[0]).toBe('c/big');
    expect(r.stats().find((s) => s.modelId === 'c/big')?.quality.observations).toBe(1);
  });
});
