import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProcedureOutcome, ProcedureStore } from '../procedure-store.js';
import type { OpenStore } from './open-store.js';

function outcome(overrides: Partial<ProcedureOutcome> = {}): ProcedureOutcome {
  return {
    tenant: 'acme',
    taskKind: 'code',
    topology: 'sequential',
    teamSignature: 'planner>coder',
    models: 'openai/gpt-4o-mini',
    memoryId: 'mem_1',
    passed: true,
    costUsd: 0.01,
    durationMs: 1000,
    at: 1_000,
    ...overrides,
  };
}

/** Registers the behaviour every ProcedureStore must have; `open` must return a fresh, empty store. */
export function describeProcedureStoreConformance(name: string, open: OpenStore<ProcedureStore>): void {
  describe(`ProcedureStore conformance: ${name}`, () => {
    let store: ProcedureStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('aggregates outcomes of the same procedure: count, passes, cost and duration sums, first and last time', async () => {
      await store.record(outcome());
      await store.record(outcome({ passed: false, costUsd: 0.03, durationMs: 3000, at: 5_000 }));
      const last = await store.record(outcome({ costUsd: 0.02, durationMs: 2000, at: 3_000 }));
      expect(last).toMatchObject({ count: 3, passes: 2, firstAt: 1_000, lastAt: 5_000, memoryId: 'mem_1' });
      expect(last.totalCostUsd).toBeCloseTo(0.06, 10);
      expect(last.totalDurationMs).toBe(6000);
    });

    it('keeps procedures that differ in any key field apart, and lists the most used first', async () => {
      await store.record(outcome());
      await store.record(outcome({ models: 'anthropic/claude', memoryId: 'mem_2' }));
      await store.record(outcome({ models: 'anthropic/claude', memoryId: 'mem_2' }));
      await store.record(outcome({ taskKind: 'writing', memoryId: 'mem_3' }));
      const code = await store.list({ tenant: 'acme', taskKind: 'code', limit: 10 });
      expect(code.map((p) => [p.models, p.count])).toEqual([
        ['anthropic/claude', 2],
        ['openai/gpt-4o-mini', 1],
      ]);
      expect(await store.list({ tenant: 'acme', topology: 'dag', limit: 10 })).toEqual([]);
      expect(await store.list({ tenant: 'acme', limit: 1 })).toHaveLength(1);
    });

    it('never shows one tenant another’s procedures, and forgets by memory within the tenant', async () => {
      await store.record(outcome());
      expect(await store.list({ tenant: 'beta', limit: 10 })).toEqual([]);
      expect(await store.forgetByMemory('mem_1', 'beta')).toBe(false);
      expect(await store.forgetByMemory('mem_1', 'acme')).toBe(true);
      expect(await store.list({ tenant: 'acme', limit: 10 })).toEqual([]);
    });
  });
}
