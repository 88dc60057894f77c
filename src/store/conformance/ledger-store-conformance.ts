import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CostRecord, LedgerStore } from '../ledger-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import '../store-error-codes.js';

/** A priced model call; tests override what they check. */
function costRecord(overrides: Partial<CostRecord> & { id: string }): CostRecord {
  return {
    taskId: 'task_a',
    agent: 'writer',
    modelId: 'gpt-4o-mini',
    provider: 'openai',
    inputTokens: 100,
    outputTokens: 50,
    costUsd: 0.001,
    source: 'measured',
    status: 'settled',
    createdAt: 1_000,
    ...overrides,
  };
}

/** Registers the behaviour every LedgerStore must have; `open` must return a fresh, empty store. */
export function describeLedgerStoreConformance(name: string, open: OpenStore<LedgerStore>): void {
  describe(`LedgerStore conformance: ${name}`, () => {
    let store: LedgerStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('returns recorded rows exactly as they were given', async () => {
      const row = costRecord({
        id: 'cost_1',
        agent: null,
        modelId: 'claude-sonnet',
        provider: 'anthropic',
        inputTokens: 1_234,
        outputTokens: 567,
        costUsd: 0.012345,
        source: 'estimated',
        status: 'pending',
        overMaxTokens: 256,
        createdAt: 1_700_000_000_123,
      });
      await store.record(row);
      expect(await store.listByTask('task_a')).toEqual([row]);
    });

    it('lists the rows of one task oldest first', async () => {
      await store.record(costRecord({ id: 'cost_c', createdAt: 3_000 }));
      await store.record(costRecord({ id: 'cost_a', createdAt: 1_000 }));
      await store.record(costRecord({ id: 'cost_other', taskId: 'task_b', createdAt: 500 }));
      await store.record(costRecord({ id: 'cost_none', taskId: null, createdAt: 500 }));
      await store.record(costRecord({ id: 'cost_b', createdAt: 2_000 }));
      expect((await store.listByTask('task_a')).map((row) => row.id)).toEqual(['cost_a', 'cost_b', 'cost_c']);
      expect(await store.listByTask('task_missing')).toEqual([]);
    });

    it('rejects a duplicate id with store.conflict', async () => {
      await store.record(costRecord({ id: 'cost_1', costUsd: 1 }));
      await expectAgentdError(store.record(costRecord({ id: 'cost_1', costUsd: 2 })), 'store.conflict');
      expect(await store.totals({})).toMatchObject({ costUsd: 1, calls: 1 });
    });

    it('settles a pending row with the real usage, once', async () => {
      await store.record(costRecord({ id: 'cost_1', status: 'pending', source: 'estimated', costUsd: 0.5 }));
      expect(
        await store.settle('cost_1', {
          inputTokens: 7,
          outputTokens: 300,
          costUsd: 0.01,
          source: 'measured',
          overMaxTokens: 256,
        }),
      ).toBe(true);
      expect(await store.listByTask('task_a')).toEqual([
        costRecord({
          id: 'cost_1',
          status: 'settled',
          inputTokens: 7,
          outputTokens: 300,
          costUsd: 0.01,
          overMaxTokens: 256,
        }),
      ]);
      // A settled row is final: a second settlement (or a discard) changes nothing.
      expect(
        await store.settle('cost_1', { inputTokens: 1, outputTokens: 1, costUsd: 9, source: 'measured' }),
      ).toBe(false);
      expect(await store.discard('cost_1')).toBe(false);
      expect(
        await store.settle('cost_missing', {
          inputTokens: 1,
          outputTokens: 1,
          costUsd: 9,
          source: 'measured',
        }),
      ).toBe(false);
      expect((await store.totals({ taskId: 'task_a' })).costUsd).toBeCloseTo(0.01, 10);
    });

    it('discards a pending row whose call never ran', async () => {
      await store.record(costRecord({ id: 'cost_1', status: 'pending' }));
      await store.record(costRecord({ id: 'cost_2', createdAt: 2_000 }));
      expect(await store.discard('cost_1')).toBe(true);
      expect(await store.discard('cost_2')).toBe(false);
      expect((await store.listByTask('task_a')).map((row) => row.id)).toEqual(['cost_2']);
    });

    it("marks only one task's pending rows interrupted, and counts them at their estimate", async () => {
      await store.record(costRecord({ id: 'cost_1', status: 'pending', costUsd: 0.25 }));
      await store.record(costRecord({ id: 'cost_2', status: 'settled', costUsd: 0.5, createdAt: 2_000 }));
      await store.record(costRecord({ id: 'cost_3', taskId: 'task_b', status: 'pending', costUsd: 1 }));
      expect(await store.markInterrupted('task_a')).toBe(1);
      expect(await store.markInterrupted('task_a')).toBe(0);
      expect((await store.listByTask('task_a')).map((row) => [row.id, row.status])).toEqual([
        ['cost_1', 'interrupted'],
        ['cost_2', 'settled'],
      ]);
      expect((await store.listByTask('task_b'))[0]?.status).toBe('pending');
      // An interrupted call is not settled any more: its cost stays the estimate.
      expect(
        await store.settle('cost_1', { inputTokens: 1, outputTokens: 1, costUsd: 0, source: 'measured' }),
      ).toBe(false);
      expect(await store.totals({ taskId: 'task_a' })).toMatchObject({ costUsd: 0.75, calls: 2 });
    });

    it('totals to zero when there are no rows', async () => {
      expect(await store.totals({})).toEqual({ costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0 });
      expect(await store.totals({ taskId: 'task_a', since: 0 })).toEqual({
        costUsd: 0,
        inputTokens: 0,
        outputTokens: 0,
        calls: 0,
      });
    });

    describe('totals', () => {
      beforeEach(async () => {
        await store.record(
          costRecord({
            id: 'cost_1',
            taskId: 'task_a',
            inputTokens: 10,
            outputTokens: 1,
            costUsd: 0.1,
            createdAt: 1_000,
          }),
        );
        await store.record(
          costRecord({
            id: 'cost_2',
            taskId: 'task_a',
            inputTokens: 20,
            outputTokens: 2,
            costUsd: 0.2,
            createdAt: 2_000,
          }),
        );
        await store.record(
          costRecord({
            id: 'cost_3',
            taskId: 'task_b',
            inputTokens: 40,
            outputTokens: 4,
            costUsd: 0.4,
            createdAt: 3_000,
          }),
        );
        await store.record(
          costRecord({
            id: 'cost_4',
            taskId: null,
            inputTokens: 80,
            outputTokens: 8,
            costUsd: 0.8,
            createdAt: 4_000,
          }),
        );
      });

      it('sums every row when the filter is empty', async () => {
        const totals = await store.totals({});
        expect(totals).toMatchObject({ inputTokens: 150, outputTokens: 15, calls: 4 });
        expect(totals.costUsd).toBeCloseTo(1.5, 10);
      });

      it('sums only the rows of one task', async () => {
        const totals = await store.totals({ taskId: 'task_a' });
        expect(totals).toMatchObject({ inputTokens: 30, outputTokens: 3, calls: 2 });
        expect(totals.costUsd).toBeCloseTo(0.3, 10);
        expect(await store.totals({ taskId: 'task_missing' })).toEqual({
          costUsd: 0,
          inputTokens: 0,
          outputTokens: 0,
          calls: 0,
        });
      });

      it('sums only rows created at or after `since`', async () => {
        const totals = await store.totals({ since: 2_000 });
        expect(totals).toMatchObject({ inputTokens: 140, outputTokens: 14, calls: 3 });
        expect(totals.costUsd).toBeCloseTo(1.4, 10);
        expect((await store.totals({ since: 4_001 })).calls).toBe(0);
      });

      it('applies taskId and since together', async () => {
        const totals = await store.totals({ taskId: 'task_a', since: 1_500 });
        expect(totals).toMatchObject({ inputTokens: 20, outputTokens: 2, calls: 1 });
        expect(totals.costUsd).toBeCloseTo(0.2, 10);
      });
    });
  });
}
