import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { VerdictRecord, VerdictStore } from '../verdict-store.js';
import type { OpenStore } from './open-store.js';

function verdict(id: string, overrides: Partial<VerdictRecord> = {}): VerdictRecord {
  return {
    id,
    taskId: 'task_1',
    round: 1,
    rubricName: 'clarity',
    rubricHash: 'h1',
    mode: 'panel',
    approved: true,
    score: 0.8,
    checks: [{ type: 'length', pass: true }],
    votes: [{ judge: 'a', score: 0.8 }],
    consensus: { strategy: 'mean', score: 0.8 },
    nEff: 1.7,
    costUsd: 0.002,
    createdAt: 1_000,
    ...overrides,
  };
}

/** Registers the behaviour every VerdictStore must have; `open` must return a fresh, empty store. */
export function describeVerdictStoreConformance(name: string, open: OpenStore<VerdictStore>): void {
  describe(`VerdictStore conformance: ${name}`, () => {
    let store: VerdictStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('round-trips verdicts and lists a task’s in round order', async () => {
      await store.add(
        verdict('v2', { round: 2, approved: false, score: null, nEff: null, createdAt: 2_000 }),
      );
      await store.add(verdict('v1'));
      await store.add(verdict('v3', { taskId: 'task_2' }));
      const listed = await store.listByTask('task_1');
      expect(listed.map((v) => v.id)).toEqual(['v1', 'v2']);
      expect(listed[0]).toEqual(verdict('v1'));
      expect(listed[1]).toMatchObject({ approved: false, score: null, nEff: null });
    });

    it('lists a rubric version’s newest verdicts first, up to the limit', async () => {
      await store.add(verdict('v1', { createdAt: 1_000 }));
      await store.add(verdict('v2', { createdAt: 3_000 }));
      await store.add(verdict('v3', { createdAt: 2_000, rubricHash: 'h2' }));
      await store.add(verdict('v4', { createdAt: 2_000 }));
      expect((await store.listByRubric({ rubricHash: 'h1', limit: 2 })).map((v) => v.id)).toEqual([
        'v2',
        'v4',
      ]);
    });

    it('keeps calibrations and returns the newest for a rubric version', async () => {
      expect(await store.latestCalibration('h1')).toBeNull();
      await store.saveCalibration({
        id: 'c1',
        rubricName: 'clarity',
        rubricHash: 'h1',
        report: { kappa: 0.5 },
        createdAt: 1,
      });
      await store.saveCalibration({
        id: 'c2',
        rubricName: 'clarity',
        rubricHash: 'h1',
        report: { kappa: 0.7 },
        createdAt: 2,
      });
      await store.saveCalibration({
        id: 'c3',
        rubricName: 'other',
        rubricHash: 'h2',
        report: {},
        createdAt: 3,
      });
      expect(await store.latestCalibration('h1')).toEqual({
        id: 'c2',
        rubricName: 'clarity',
        rubricHash: 'h1',
        report: { kappa: 0.7 },
        createdAt: 2,
      });
    });
  });
}
