import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Json } from '../../core/json.js';
import type { JournalStore, StepRecord } from '../journal-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import '../store-error-codes.js';

/** A completed step; tests override what they check. */
function stepRecord(overrides: Partial<StepRecord> & { taskId: string; key: string }): StepRecord {
  return {
    name: `step ${overrides.key}`,
    status: 'completed',
    output: { text: `output ${overrides.key}` },
    error: null,
    startedAt: 1_000,
    finishedAt: 2_000,
    ...overrides,
  };
}

/** Registers the behaviour every JournalStore must have; `open` must return a fresh, empty store. */
export function describeJournalStoreConformance(name: string, open: OpenStore<JournalStore>): void {
  describe(`JournalStore conformance: ${name}`, () => {
    let store: JournalStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('returns a recorded step exactly as it was given', async () => {
      const step = stepRecord({
        taskId: 'task_a',
        key: '1',
        name: 'model:planner',
        startedAt: 10,
        finishedAt: 20,
      });
      await store.record(step);
      expect(await store.get('task_a', '1')).toEqual(step);
    });

    it('keeps start marks apart from finished steps, per task, and the first mark of a key', async () => {
      await store.markStarted({ taskId: 'task_a', key: '2', name: 'tool:w:write', startedAt: 5 });
      await store.markStarted({ taskId: 'task_a', key: '10', name: 'tool:w:other', startedAt: 6 });
      await store.markStarted({ taskId: 'task_a', key: '2', name: 'tool:w:write', startedAt: 9 });
      await store.markStarted({ taskId: 'task_b', key: '2', name: 'tool:w:write', startedAt: 7 });
      expect(await store.listStarted('task_a')).toEqual([
        { taskId: 'task_a', key: '10', name: 'tool:w:other', startedAt: 6 },
        { taskId: 'task_a', key: '2', name: 'tool:w:write', startedAt: 5 },
      ]);
      expect(await store.listStarted('task_c')).toEqual([]);
      // A mark is not a journaled step: replay must not see it as finished.
      expect(await store.get('task_a', '2')).toBeNull();
      expect(await store.list('task_a')).toEqual([]);
      await store.record(stepRecord({ taskId: 'task_a', key: '2' }));
      expect((await store.listStarted('task_a')).map((s) => s.key)).toEqual(['10', '2']);
    });

    it('returns null for a step that was never recorded', async () => {
      await store.record(stepRecord({ taskId: 'task_a', key: '1' }));
      expect(await store.get('task_a', '2')).toBeNull();
      expect(await store.get('task_b', '1')).toBeNull();
    });

    it('lists the steps of one task in the order they finished, whatever order they were recorded in', async () => {
      await store.record(stepRecord({ taskId: 'task_a', key: '3', startedAt: 100, finishedAt: 300 }));
      await store.record(stepRecord({ taskId: 'task_a', key: '1', startedAt: 100, finishedAt: 500 }));
      await store.record(stepRecord({ taskId: 'task_a', key: '2', startedAt: 100, finishedAt: 200 }));
      await store.record(stepRecord({ taskId: 'task_b', key: '1', startedAt: 100, finishedAt: 100 }));
      const steps = await store.list('task_a');
      expect(steps.map((step) => step.key)).toEqual(['2', '3', '1']);
      expect(steps.every((step) => step.taskId === 'task_a')).toBe(true);
      expect(await store.list('task_missing')).toEqual([]);
    });

    it('lists steps that finished in the same millisecond in the order they were recorded', async () => {
      for (const key of ['2.1/1', '10', '2.0/1', '1']) {
        await store.record(stepRecord({ taskId: 'task_a', key, finishedAt: 5_000 }));
      }
      expect((await store.list('task_a')).map((step) => step.key)).toEqual(['2.1/1', '10', '2.0/1', '1']);
    });

    it('treats keys with different scope paths as distinct steps', async () => {
      const keys = ['1', '2.0/1', '2.1/1', 'dag:a/1'];
      for (const [i, key] of keys.entries()) {
        await store.record(stepRecord({ taskId: 'task_a', key, name: `step ${key}`, finishedAt: 2_000 + i }));
      }
      for (const key of keys) expect((await store.get('task_a', key))?.name).toBe(`step ${key}`);
      expect((await store.list('task_a')).map((step) => step.key)).toEqual(keys);
      // A key names one step exactly: no prefix, suffix or numeric reading matches another.
      for (const missing of ['2', '2.0', '2.0/', '1/1', 'dag:a', 'dag:b/1', '01', ' 1']) {
        expect(await store.get('task_a', missing)).toBeNull();
      }
    });

    it('allows the same key in different tasks', async () => {
      await store.record(stepRecord({ taskId: 'task_a', key: '1', name: 'a' }));
      await store.record(stepRecord({ taskId: 'task_b', key: '1', name: 'b' }));
      expect((await store.get('task_a', '1'))?.name).toBe('a');
      expect((await store.get('task_b', '1'))?.name).toBe('b');
    });

    it('rejects a second record of the same (taskId, key) with store.conflict and keeps the first', async () => {
      await store.record(stepRecord({ taskId: 'task_a', key: '1', output: 'first' }));
      const error = await expectAgentdError(
        store.record(stepRecord({ taskId: 'task_a', key: '1', output: 'second' })),
        'store.conflict',
      );
      expect(error.category).toBe('conflict');
      expect((await store.get('task_a', '1'))?.output).toBe('first');
    });

    it('keeps a failed step with its error and no output', async () => {
      const step = stepRecord({
        taskId: 'task_a',
        key: '1',
        status: 'failed',
        output: null,
        error: { code: 'tool.failed', message: 'exit code 2' },
      });
      await store.record(step);
      expect(await store.get('task_a', '1')).toEqual(step);
    });

    const outputs: [string, Json][] = [
      [
        'a nested object',
        { text: 'hi', usage: { input: 1, output: 2 }, tools: [{ name: 'x', args: { a: [1, { b: null }] } }] },
      ],
      ['null', null],
      ['the string "null"', 'null'],
      ['an empty string', ''],
      ['zero', 0],
      ['a fraction', 0.1],
      ['a negative number', -42],
      ['false', false],
      ['true', true],
      ['an empty array', []],
      ['an empty object', {}],
      ['an array of mixed values', [1, 'two', null, false, { five: [] }]],
      ['text with unicode and control characters', 'naïve — 日本語 😀\n\t"quoted" \\ back'],
    ];
    for (const [label, output] of outputs) {
      it(`round-trips an output that is ${label}`, async () => {
        await store.record(stepRecord({ taskId: 'task_a', key: '1', output }));
        expect((await store.get('task_a', '1'))?.output).toEqual(output);
        expect((await store.list('task_a'))[0]?.output).toEqual(output);
      });
    }
  });
}
