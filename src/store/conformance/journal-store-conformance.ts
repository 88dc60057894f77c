import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Json } from '../../core/json.js';
import type { JournalStore, StepRecord } from '../journal-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';

/** A completed step; tests override what they check. */
function stepRecord(overrides: Partial<StepRecord> & { taskId: string; seq: number }): StepRecord {
  return {
    name: `step ${overrides.seq}`,
    status: 'completed',
    output: { text: `output ${overrides.seq}` },
    error: null,
    startedAt: 1_000 + overrides.seq,
    finishedAt: 2_000 + overrides.seq,
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
        seq: 1,
        name: 'model:planner',
        startedAt: 10,
        finishedAt: 20,
      });
      await store.record(step);
      expect(await store.get('task_a', 1)).toEqual(step);
    });

    it('returns null for a step that was never recorded', async () => {
      await store.record(stepRecord({ taskId: 'task_a', seq: 1 }));
      expect(await store.get('task_a', 2)).toBeNull();
      expect(await store.get('task_b', 1)).toBeNull();
    });

    it('lists the steps of one task by seq, whatever order they were recorded in', async () => {
      for (const seq of [3, 1, 2]) await store.record(stepRecord({ taskId: 'task_a', seq }));
      await store.record(stepRecord({ taskId: 'task_b', seq: 1 }));
      const steps = await store.list('task_a');
      expect(steps.map((step) => step.seq)).toEqual([1, 2, 3]);
      expect(steps.every((step) => step.taskId === 'task_a')).toBe(true);
      expect(await store.list('task_missing')).toEqual([]);
    });

    it('allows the same seq in different tasks', async () => {
      await store.record(stepRecord({ taskId: 'task_a', seq: 1, name: 'a' }));
      await store.record(stepRecord({ taskId: 'task_b', seq: 1, name: 'b' }));
      expect((await store.get('task_a', 1))?.name).toBe('a');
      expect((await store.get('task_b', 1))?.name).toBe('b');
    });

    it('rejects a second record of the same (taskId, seq) with store.conflict and keeps the first', async () => {
      await store.record(stepRecord({ taskId: 'task_a', seq: 1, output: 'first' }));
      const error = await expectAgentdError(
        store.record(stepRecord({ taskId: 'task_a', seq: 1, output: 'second' })),
        'store.conflict',
      );
      expect(error.category).toBe('user');
      expect((await store.get('task_a', 1))?.output).toBe('first');
    });

    it('keeps a failed step with its error and no output', async () => {
      const step = stepRecord({
        taskId: 'task_a',
        seq: 1,
        status: 'failed',
        output: null,
        error: { code: 'tool.failed', message: 'exit code 2' },
      });
      await store.record(step);
      expect(await store.get('task_a', 1)).toEqual(step);
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
        await store.record(stepRecord({ taskId: 'task_a', seq: 1, output }));
        expect((await store.get('task_a', 1))?.output).toEqual(output);
        expect((await store.list('task_a'))[0]?.output).toEqual(output);
      });
    }
  });
}
