import { describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import type { ModelInfo } from '../models/index.js';
import { createModelKnowledge } from './model-knowledge.js';
import type { ModelKnowledge } from './model-knowledge.js';
import { seededRandom } from './random.js';
import { RouterConfigSchema } from './router-config.js';
import { selectModel } from './select-model.js';
import type { SelectionContext, SelectionRequest } from './select-model.js';

function model(id: string, price: number, quality: number, extra: Partial<ModelInfo> = {}): ModelInfo {
  const [provider = '', name = ''] = id.split('/');
  return {
    id,
    provider,
    model: name,
    inputPerMTok: price,
    outputPerMTok: price * 4,
    contextWindow: 128_000,
    capabilities: { tools: true, json: true, vision: false },
    quality: { default: quality },
    known: true,
    simulated: false,
    ...extra,
  };
}

const tiny = model('a/tiny', 0.1, 0.5);
const small = model('a/small', 0.5, 0.75);
const large = model('b/large', 5, 0.9);
const config = RouterConfigSchema.parse({});

function setup(
  candidates: ModelInfo[],
  options: { knowledge?: ModelKnowledge; open?: string[]; fallbacks?: Record<string, string[]> } = {},
): SelectionContext {
  return {
    candidates,
    knowledge:
      options.knowledge ??
      createModelKnowledge({ posterior: 'beta', latencyAlpha: 0.2, latencyWindow: 100, now: () => 0 }),
    config: { ...config, fallbacks: options.fallbacks ?? {} },
    random: seededRandom(3),
    available: (info) => !(options.open ?? []).includes(info.id),
  };
}

function request(overrides: Partial<SelectionRequest> = {}): SelectionRequest {
  return {
    kind: 'chat',
    needs: {},
    inputTokens: 1000,
    maxOutputTokens: 1000,
    constraints: {},
    objective: 'cheapest',
    explore: false,
    ...overrides,
  };
}

describe('selectModel', () => {
  it('cheapest: picks the cheapest model that meets minQuality, the rest as fallbacks by price', () => {
    const selection = selectModel(request({ constraints: { minQuality: 0.7 } }), setup([large, tiny, small]));
    expect(selection.order).toEqual(['a/small', 'b/large']);
    const excluded = selection.candidates.find((c) => c.id === 'a/tiny');
    expect(excluded?.feasible).toBe(false);
    expect(excluded?.excluded).toMatch(/expected quality 0\.50 < minQuality 0\.7/);
  });

  it('best: picks the highest expected quality within maxCostUsd', () => {
    const all = selectModel(request({ objective: 'best' }), setup([tiny, small, large]));
    expect(all.order[0]).toBe('b/large');
    // 1000 in + 500 expected out at $5/$20 per 1M = $0.015; a $0.005 cap rules it out.
    const capped = selectModel(
      request({ objective: 'best', constraints: { maxCostUsd: 0.005 } }),
      setup([tiny, small, large]),
    );
    expect(capped.order[0]).toBe('a/small');
    expect(capped.candidates.find((c) => c.id === 'b/large')?.excluded).toMatch(/maxCostUsd/);
  });

  it('balanced: trades quality against log-scaled cost by the configured weights', () => {
    const context = setup([tiny, small, large]);
    const qualityHeavy = selectModel(request({ objective: 'balanced' }), {
      ...context,
      config: { ...context.config, weights: { quality: 1, cost: 0.05, latency: 0 } },
    });
    expect(qualityHeavy.order[0]).toBe('b/large');
    const costHeavy = selectModel(request({ objective: 'balanced' }), {
      ...context,
      config: { ...context.config, weights: { quality: 1, cost: 1, latency: 0 } },
    });
    expect(costHeavy.order[0]).toBe('a/tiny');
  });

  it('excludes models without a needed capability, a large enough context, or with an open circuit', () => {
    const noTools = model('c/no-tools', 0.01, 0.9, {
      capabilities: { tools: false, json: true, vision: false },
    });
    const shortContext = model('c/short', 0.02, 0.9, { contextWindow: 4096 });
    const selection = selectModel(
      request({ needs: { tools: true }, inputTokens: 5000 }),
      setup([noTools, shortContext, tiny, small], { open: ['a/tiny'] }),
    );
    expect(selection.order).toEqual(['a/small']);
    const reasons = Object.fromEntries(selection.candidates.map((c) => [c.id, c.excluded]));
    expect(reasons['c/no-tools']).toBe('no tools support');
    expect(reasons['c/short']).toBe('context window 4096 < 6000 tokens needed');
    expect(reasons['a/tiny']).toBe('circuit open');
  });

  it('excludes models whose observed p95 latency is over maxLatencyMs, and keeps unobserved ones', () => {
    const knowledge = createModelKnowledge({
      posterior: 'beta',
      latencyAlpha: 0.2,
      latencyWindow: 100,
      now: () => 0,
    });
    for (let i = 0; i < 20; i++) {
      knowledge.recordCall({
        modelId: 'a/tiny',
        kind: 'chat',
        latencyMs: 100 + i * 100,
        costUsd: 0,
        inputTokens: 1,
        outputTokens: 1,
      });
    }
    const selection = selectModel(
      request({ constraints: { maxLatencyMs: 1500 } }),
      setup([tiny, small], { knowledge }),
    );
    expect(selection.order).toEqual(['a/small']);
    expect(selection.candidates.find((c) => c.id === 'a/tiny')?.excluded).toBe(
      'p95 latency 1900 ms > maxLatencyMs 1500',
    );
  });

  it('learned quality overrides the prior: a cheap model that keeps passing becomes the pick', () => {
    const knowledge = createModelKnowledge({
      posterior: 'beta',
      latencyAlpha: 0.2,
      latencyWindow: 100,
      now: () => 0,
    });
    const ask = request({ kind: 'code', constraints: { minQuality: 0.8 } });
    expect(selectModel(ask, setup([tiny, large], { knowledge })).order[0]).toBe('b/large');
    for (let i = 0; i < 40; i++) knowledge.recordQuality({ modelId: 'a/tiny', kind: 'code', pass: true });
    expect(selectModel(ask, setup([tiny, large], { knowledge })).order[0]).toBe('a/tiny');
    // Per kind: chat has learned nothing.
    expect(selectModel({ ...ask, kind: 'chat' }, setup([tiny, large], { knowledge })).order[0]).toBe(
      'b/large',
    );
  });

  it('relaxes minQuality when no model is expected to reach it, and says so', () => {
    const selection = selectModel(request({ constraints: { minQuality: 0.99 } }), setup([tiny, large]));
    expect(selection.order[0]).toBe('b/large');
    expect(selection.relaxed).toEqual(['minQuality']);
    expect(selection.reason).toMatch(/no candidate expected to reach minQuality 0.99/);
  });

  it('a pinned model goes first, then the same model elsewhere, configured fallbacks, the rest', () => {
    const largeElsewhere = model('c/large', 6, 0.9, { model: 'large' });
    const selection = selectModel(
      request({ pinned: 'b/large' }),
      setup([tiny, small, large, largeElsewhere], { fallbacks: { 'b/large': ['a/small'] } }),
    );
    expect(selection.order).toEqual(['b/large', 'c/large', 'a/small', 'a/tiny']);
    expect(selection.reason).toMatch(/pinned/);
  });

  it('a pinned model whose circuit is open is skipped for the router’s pick', () => {
    const selection = selectModel(
      request({ pinned: 'b/large' }),
      setup([tiny, large], { open: ['b/large'] }),
    );
    expect(selection.order).toEqual(['a/tiny']);
    expect(selection.reason).toMatch(/pinned model b\/large unavailable \(circuit open\)/);
  });

  it('explores uncertain models by Thompson draws only when allowed, never past hard constraints', () => {
    const uncertain = model('c/new', 0.2, 0.6);
    const ask = request({ constraints: { minQuality: 0.7, maxCostUsd: 0.01 } });
    const context = setup([uncertain, small, large]);
    let explored = 0;
    for (let i = 0; i < 200; i++) {
      const selection = selectModel({ ...ask, explore: true }, context);
      expect(selection.order[0]).not.toBe('b/large'); // over maxCostUsd even when sampled
      if (selection.explored) {
        explored += 1;
        expect(selection.order[0]).toBe('c/new');
        expect(selection.reason).toMatch(/^explored/);
      }
    }
    expect(explored).toBeGreaterThan(10);
    for (let i = 0; i < 50; i++) expect(selectModel(ask, context).order[0]).toBe('a/small');
  });

  it('fails with router.no_candidate naming each model’s reason when none can take the call', () => {
    let caught: unknown;
    try {
      selectModel(request({ needs: { vision: true } }), setup([tiny, small]));
    } catch (error) {
      caught = error;
    }
    expect(caught instanceof AgentdError && caught.code).toBe('router.no_candidate');
    expect(String((caught as Error).message)).toMatch(
      /a\/tiny: no vision support; a\/small: no vision support/,
    );
  });

  it('never rules out the simulated model for a capability', () => {
    const simulated = model('simulated/dry-run', 0, 0.5, {
      simulated: true,
      capabilities: { tools: false, json: false, vision: false },
    });
    expect(selectModel(request({ needs: { tools: true, vision: true } }), setup([simulated])).order).toEqual([
      'simulated/dry-run',
    ]);
  });
});
