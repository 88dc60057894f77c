import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RouterHealthRecord, RouterStatRecord, RouterStore } from '../router-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import '../../router/router-error-codes.js';

/** A record with every field set to something unremarkable; tests override what they check. */
function stat(
  overrides: Partial<RouterStatRecord> & Pick<RouterStatRecord, 'modelId' | 'kind'>,
): RouterStatRecord {
  return {
    calls: 12,
    errors: 2,
    passes: 7.5,
    fails: 2.5,
    scoreCount: 10,
    scoreMean: 0.75,
    scoreM2: 0.4,
    latencyEwmaMs: 812.5,
    latencySamplesMs: [700, 900, 850],
    costUsd: 0.0123,
    inputTokens: 12_000,
    outputTokens: 3_400,
    outputTokenSamples: [310, 250, 290],
    overMaxTokensCalls: 1,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** Registers the behaviour every RouterStore must have; `open` must return a fresh, empty store. */
export function describeRouterStoreConformance(name: string, open: OpenStore<RouterStore>): void {
  describe(`RouterStore conformance: ${name}`, () => {
    let store: RouterStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('lists nothing when empty', async () => {
      expect(await store.list()).toEqual([]);
    });

    it('round-trips every field, including a null latency and no samples', async () => {
      const full = stat({ modelId: 'openai/gpt-4o', kind: 'code' });
      const fresh = stat({
        modelId: 'openai/gpt-4o',
        kind: '*',
        calls: 0,
        latencyEwmaMs: null,
        latencySamplesMs: [],
        outputTokenSamples: [],
        overMaxTokensCalls: 0,
      });
      await store.upsert([full, fresh]);
      const listed = await store.list();
      expect(listed).toHaveLength(2);
      expect(listed).toContainEqual(full);
      expect(listed).toContainEqual(fresh);
    });

    it('replaces a record with the same model and kind', async () => {
      await store.upsert([stat({ modelId: 'a/x', kind: 'chat', calls: 1 })]);
      await store.upsert([
        stat({ modelId: 'a/x', kind: 'chat', calls: 2 }),
        stat({ modelId: 'a/x', kind: 'math' }),
      ]);
      const listed = await store.list();
      expect(listed).toHaveLength(2);
      expect(listed.find((r) => r.kind === 'chat')?.calls).toBe(2);
    });

    it('writes nothing of a batch that holds an invalid record', async () => {
      await expectAgentdError(
        store.upsert([
          stat({ modelId: 'a/ok', kind: 'chat' }),
          stat({ modelId: 'a/bad', kind: 'chat', calls: Number.NaN }),
        ]),
        'router.invalid_stat',
      );
      await expectAgentdError(
        store.upsert([stat({ modelId: 'a/neg', kind: 'chat', costUsd: -1 })]),
        'router.invalid_stat',
      );
      await expectAgentdError(
        store.upsert([stat({ modelId: 'a/samples', kind: 'chat', outputTokenSamples: [12, Number.NaN] })]),
        'router.invalid_stat',
      );
      expect(await store.list()).toEqual([]);
    });

    it('round-trips health records with stats in one batch, replacing by scope and id', async () => {
      const open: RouterHealthRecord = {
        scope: 'model',
        id: 'a/x',
        state: 'open',
        openedAt: 1_700_000_000_000,
        rateLimitedUntil: 1_700_000_030_000,
        updatedAt: 1_700_000_000_001,
      };
      const provider: RouterHealthRecord = { ...open, scope: 'provider', id: 'a', rateLimitedUntil: null };
      await store.upsert([stat({ modelId: 'a/x', kind: 'chat' })], [open, provider]);
      expect(await store.listHealth()).toEqual([open, provider]);
      const closed = { ...open, state: 'closed' as const, openedAt: null, rateLimitedUntil: null };
      await store.upsert([], [closed]);
      expect(await store.listHealth()).toEqual([closed, provider]);
    });

    it('writes no health record of a batch that holds an invalid one', async () => {
      const bad: RouterHealthRecord = {
        scope: 'model',
        id: 'a/x',
        state: 'open',
        openedAt: Number.NaN,
        rateLimitedUntil: null,
        updatedAt: 1,
      };
      await expectAgentdError(
        store.upsert([stat({ modelId: 'a/x', kind: 'chat' })], [bad]),
        'router.invalid_stat',
      );
      expect(await store.list()).toEqual([]);
      expect(await store.listHealth()).toEqual([]);
    });

    it('resets everything, or one model', async () => {
      await store.upsert([
        stat({ modelId: 'a/x', kind: 'chat' }),
        stat({ modelId: 'a/x', kind: '*' }),
        stat({ modelId: 'b/y', kind: 'chat' }),
      ]);
      const health = (scope: 'model' | 'provider', id: string): RouterHealthRecord => ({
        scope,
        id,
        state: 'open',
        openedAt: 1,
        rateLimitedUntil: null,
        updatedAt: 1,
      });
      await store.upsert([], [health('model', 'a/x'), health('model', 'b/y'), health('provider', 'a')]);
      expect(await store.reset({ modelId: 'a/x' })).toBe(2);
      expect((await store.list()).map((r) => r.modelId)).toEqual(['b/y']);
      expect((await store.listHealth()).map((r) => `${r.scope} ${r.id}`)).toEqual([
        'model b/y',
        'provider a',
      ]);
      expect(await store.reset()).toBe(1);
      expect(await store.list()).toEqual([]);
      expect(await store.listHealth()).toEqual([]);
    });
  });
}
