import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TaskEvent } from '../../core/events.js';
import type { TaskRecord, TaskStore } from '../task-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import '../../executor/executor-error-codes.js';
import '../store-error-codes.js';

/** A valid task with every field set to something unremarkable; tests override what they check. */
function taskRecord(overrides: Partial<TaskRecord> & { id: string }): TaskRecord {
  return {
    status: 'queued',
    prompt: `prompt of ${overrides.id}`,
    input: { prompt: `prompt of ${overrides.id}` },
    output: null,
    error: null,
    result: null,
    simulated: false,
    owner: null,
    heartbeatAt: null,
    createdAt: 1_000,
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

function taskStart(taskId: string, time: number): Omit<TaskEvent, 'seq'> {
  return { type: 'task-start', time, data: { taskId, prompt: 'p' } };
}

/** Registers the behaviour every TaskStore must have; `open` must return a fresh, empty store. */
export function describeTaskStoreConformance(name: string, open: OpenStore<TaskStore>): void {
  describe(`TaskStore conformance: ${name}`, () => {
    let store: TaskStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    async function createAll(tasks: TaskRecord[]): Promise<void> {
      for (const task of tasks) await store.create(task);
    }

    async function listIds(query: Parameters<TaskStore['list']>[0]): Promise<string[]> {
      return (await store.list(query)).map((task) => task.id);
    }

    describe('create and get', () => {
      it('returns a created task exactly as it was given', async () => {
        const task = taskRecord({
          id: 'task_a',
          status: 'failed',
          input: { prompt: 'hi', options: { depth: 2, tags: ['x', 'y'], extra: null }, flag: true },
          output: 'partial output',
          error: { code: 'model.failed', message: 'it broke' },
          result: { rounds: [{ verdict: 'rejected', score: 0.25 }], final: null },
          simulated: true,
          createdAt: 1_700_000_000_123,
          startedAt: 1_700_000_000_200,
          finishedAt: 1_700_000_000_999,
        });
        await store.create(task);
        expect(await store.get('task_a')).toEqual(task);
      });

      it('keeps an input that is a bare JSON null, string or array', async () => {
        await createAll([
          taskRecord({ id: 'task_null', input: null }),
          taskRecord({ id: 'task_string', input: 'null' }),
          taskRecord({ id: 'task_array', input: [1, 'two', null, { three: [] }] }),
        ]);
        expect((await store.get('task_null'))?.input).toBeNull();
        expect((await store.get('task_string'))?.input).toBe('null');
        expect((await store.get('task_array'))?.input).toEqual([1, 'two', null, { three: [] }]);
      });

      it('keeps the config a task was started with, and reads a task without one back without it', async () => {
        const task = taskRecord({
          id: 'task_o',
          origin: { configFingerprint: 'sha256:abc', configPath: '/projects/a/agentd.yaml' },
        });
        await store.create(task);
        await store.create(
          taskRecord({ id: 'task_n', origin: { configFingerprint: 'f', configPath: null } }),
        );
        await store.create(taskRecord({ id: 'task_legacy' }));
        expect(await store.get('task_o')).toEqual(task);
        expect((await store.get('task_n'))?.origin).toEqual({ configFingerprint: 'f', configPath: null });
        const legacy = await store.get('task_legacy');
        expect(legacy && 'origin' in legacy).toBe(false);
        await store.transition('task_o', ['queued'], 'running');
        expect((await store.get('task_o'))?.origin).toEqual(task.origin);
      });

      it('returns null for an unknown id', async () => {
        expect(await store.get('task_missing')).toBeNull();
      });

      it('rejects a duplicate id with store.conflict and keeps the original', async () => {
        await store.create(taskRecord({ id: 'task_a', prompt: 'first' }));
        const error = await expectAgentdError(
          store.create(taskRecord({ id: 'task_a', prompt: 'second' })),
          'store.conflict',
        );
        expect(error.category).toBe('conflict');
        expect((await store.get('task_a'))?.prompt).toBe('first');
      });
    });

    describe('list', () => {
      it('returns tasks newest first, up to the limit', async () => {
        await createAll([
          taskRecord({ id: 'task_b', createdAt: 2_000 }),
          taskRecord({ id: 'task_c', createdAt: 3_000 }),
          taskRecord({ id: 'task_a', createdAt: 1_000 }),
        ]);
        expect(await listIds({ limit: 10 })).toEqual(['task_c', 'task_b', 'task_a']);
        expect(await listIds({ limit: 2 })).toEqual(['task_c', 'task_b']);
      });

      it('orders tasks created in the same millisecond by id, descending', async () => {
        await createAll([
          taskRecord({ id: 'task_2', createdAt: 5_000 }),
          taskRecord({ id: 'task_3', createdAt: 5_000 }),
          taskRecord({ id: 'task_1', createdAt: 5_000 }),
        ]);
        expect(await listIds({ limit: 10 })).toEqual(['task_3', 'task_2', 'task_1']);
      });

      it('keeps only the tasks of a tenant, with those naming none when asked, and pages within them', async () => {
        await createAll([
          taskRecord({ id: 'task_1', createdAt: 1_000, input: { prompt: 'p', tenant: 'acme' } }),
          taskRecord({ id: 'task_2', createdAt: 2_000, input: { prompt: 'p', tenant: 'globex' } }),
          taskRecord({ id: 'task_3', createdAt: 3_000, input: { prompt: 'p' } }),
          taskRecord({
            id: 'task_4',
            createdAt: 4_000,
            status: 'running',
            input: { prompt: 'p', tenant: 'acme' },
          }),
        ]);
        const acme = { name: 'acme', includeUntenanted: false };
        expect(await listIds({ limit: 10, tenant: acme })).toEqual(['task_4', 'task_1']);
        expect(await listIds({ limit: 10, tenant: { name: 'acme', includeUntenanted: true } })).toEqual([
          'task_4',
          'task_3',
          'task_1',
        ]);
        expect(await listIds({ limit: 10, tenant: { name: 'acm', includeUntenanted: false } })).toEqual([]);
        expect(await listIds({ limit: 1, tenant: acme, before: 'task_4' })).toEqual(['task_1']);
        expect(await listIds({ limit: 10, tenant: acme, status: ['running'] })).toEqual(['task_4']);
      });

      it('returns an empty list when there are no tasks', async () => {
        expect(await store.list({ limit: 10 })).toEqual([]);
      });

      it('keeps only the requested statuses', async () => {
        await createAll([
          taskRecord({ id: 'task_q', status: 'queued', createdAt: 1_000 }),
          taskRecord({ id: 'task_r', status: 'running', createdAt: 2_000 }),
          taskRecord({ id: 'task_w', status: 'waiting', createdAt: 3_000 }),
          taskRecord({ id: 'task_s', status: 'succeeded', createdAt: 4_000 }),
        ]);
        expect(await listIds({ status: ['running'], limit: 10 })).toEqual(['task_r']);
        expect(await listIds({ status: ['queued', 'waiting'], limit: 10 })).toEqual(['task_w', 'task_q']);
        expect(await listIds({ status: ['cancelled'], limit: 10 })).toEqual([]);
      });

      it('treats an empty status list as matching no task', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        expect(await listIds({ status: [], limit: 10 })).toEqual([]);
      });

      it('continues after the `before` cursor, excluding the cursor row', async () => {
        await createAll([
          taskRecord({ id: 'task_a', createdAt: 1_000 }),
          taskRecord({ id: 'task_b', createdAt: 2_000 }),
          taskRecord({ id: 'task_c', createdAt: 3_000 }),
          taskRecord({ id: 'task_d', createdAt: 4_000 }),
        ]);
        expect(await listIds({ limit: 2, before: 'task_c' })).toEqual(['task_b', 'task_a']);
        expect(await listIds({ limit: 10, before: 'task_a' })).toEqual([]);
      });

      it('pages through every task exactly once, even when createdAt ties span a page boundary', async () => {
        const created: TaskRecord[] = [];
        for (let i = 0; i < 7; i++) {
          // Pairs of tasks share a millisecond so ties fall on page boundaries.
          created.push(
            taskRecord({ id: `task_${String(i).padStart(2, '0')}`, createdAt: 10_000 + Math.floor(i / 2) }),
          );
        }
        await createAll(created);
        const seen: string[] = [];
        let before: string | undefined;
        for (let page = 0; page < 10; page++) {
          const ids = await listIds(before === undefined ? { limit: 3 } : { limit: 3, before });
          if (ids.length === 0) break;
          seen.push(...ids);
          before = ids.at(-1);
        }
        expect(seen).toEqual(created.map((task) => task.id).reverse());
      });

      it('applies the status filter and the cursor together', async () => {
        await createAll([
          taskRecord({ id: 'task_a', status: 'failed', createdAt: 1_000 }),
          taskRecord({ id: 'task_b', status: 'succeeded', createdAt: 2_000 }),
          taskRecord({ id: 'task_c', status: 'failed', createdAt: 3_000 }),
          taskRecord({ id: 'task_d', status: 'failed', createdAt: 4_000 }),
        ]);
        // The cursor may name a row the filter excludes: position, not membership, matters.
        expect(await listIds({ status: ['failed'], limit: 10, before: 'task_c' })).toEqual(['task_a']);
        expect(await listIds({ status: ['failed'], limit: 10, before: 'task_b' })).toEqual(['task_a']);
      });
    });

    describe('update', () => {
      it('applies only the fields in the patch and returns the updated task', async () => {
        const task = taskRecord({ id: 'task_a', output: 'draft' });
        await store.create(task);
        const updated = await store.update('task_a', {
          status: 'running',
          startedAt: 2_000,
          simulated: true,
        });
        const expected: TaskRecord = { ...task, status: 'running', startedAt: 2_000, simulated: true };
        expect(updated).toEqual(expected);
        expect(await store.get('task_a')).toEqual(expected);
      });

      it('clears a field patched with an explicit null', async () => {
        await store.create(
          taskRecord({ id: 'task_a', output: 'out', error: { code: 'x.y', message: 'm' }, result: { a: 1 } }),
        );
        const updated = await store.update('task_a', { output: null, error: null, result: null });
        expect(updated).toMatchObject({ output: null, error: null, result: null });
      });

      it('stores a JSON result of any shape', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        const result = {
          output: 'done',
          steps: [{ seq: 1, cost: 0.0012 }],
          nested: { deep: { list: [null, true] } },
        };
        await store.update('task_a', {
          status: 'succeeded',
          result,
          error: { code: 'judge.rejected', message: 'close' },
          finishedAt: 9_000,
        });
        expect(await store.get('task_a')).toMatchObject({
          status: 'succeeded',
          result,
          error: { code: 'judge.rejected', message: 'close' },
          finishedAt: 9_000,
        });
      });

      it('returns the task unchanged for an empty patch', async () => {
        const task = taskRecord({ id: 'task_a' });
        await store.create(task);
        expect(await store.update('task_a', {})).toEqual(task);
      });

      it('returns null for an unknown id and creates nothing', async () => {
        expect(await store.update('task_missing', { status: 'running' })).toBeNull();
        expect(await store.get('task_missing')).toBeNull();
      });
    });

    describe('transition', () => {
      it('changes the status when the current status is one of `from`', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'waiting' }));
        expect(await store.transition('task_a', ['running', 'waiting'], 'cancelled')).toBe(true);
        expect((await store.get('task_a'))?.status).toBe('cancelled');
      });

      it('applies the patch together with the transition', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'running' }));
        const changed = await store.transition('task_a', ['running'], 'succeeded', {
          output: 'answer',
          result: { output: 'answer', rounds: 1 },
          finishedAt: 5_000,
        });
        expect(changed).toBe(true);
        expect(await store.get('task_a')).toMatchObject({
          status: 'succeeded',
          output: 'answer',
          result: { output: 'answer', rounds: 1 },
          finishedAt: 5_000,
        });
      });

      it('uses `to` even when the patch names another status', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'running' }));
        expect(await store.transition('task_a', ['running'], 'failed', { status: 'succeeded' })).toBe(true);
        expect((await store.get('task_a'))?.status).toBe('failed');
      });

      it('refuses, changing nothing, when the current status is not one of `from`', async () => {
        const task = taskRecord({ id: 'task_a', status: 'succeeded', output: 'kept' });
        await store.create(task);
        expect(await store.transition('task_a', ['queued', 'running'], 'cancelled', { output: 'lost' })).toBe(
          false,
        );
        expect(await store.get('task_a')).toEqual(task);
      });

      it('refuses a second transition from the old status', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'running' }));
        expect(await store.transition('task_a', ['running'], 'succeeded', { output: 'done' })).toBe(true);
        expect(await store.transition('task_a', ['running'], 'cancelled', { output: null })).toBe(false);
        expect(await store.get('task_a')).toMatchObject({ status: 'succeeded', output: 'done' });
      });

      it('lets exactly one of two concurrent transitions from the same status win', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'running' }));
        const [finished, cancelled] = await Promise.all([
          store.transition('task_a', ['running'], 'succeeded'),
          store.transition('task_a', ['running'], 'cancelled'),
        ]);
        expect([finished, cancelled].filter(Boolean)).toHaveLength(1);
        expect((await store.get('task_a'))?.status).toBe(finished ? 'succeeded' : 'cancelled');
      });

      it('returns false for an unknown id', async () => {
        expect(await store.transition('task_missing', ['queued'], 'running')).toBe(false);
        expect(await store.get('task_missing')).toBeNull();
      });

      it('refuses when `from` is empty', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'queued' }));
        expect(await store.transition('task_a', [], 'running')).toBe(false);
        expect((await store.get('task_a'))?.status).toBe('queued');
      });
    });

    describe('events', () => {
      it('numbers events 1, 2, 3 in append order', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        const seqs = [
          await store.appendEvent('task_a', taskStart('task_a', 1)),
          await store.appendEvent('task_a', taskStart('task_a', 2)),
          await store.appendEvent('task_a', taskStart('task_a', 3)),
        ];
        expect(seqs).toEqual([1, 2, 3]);
      });

      it('numbers each task independently', async () => {
        await createAll([taskRecord({ id: 'task_a' }), taskRecord({ id: 'task_b' })]);
        expect(await store.appendEvent('task_a', taskStart('task_a', 1))).toBe(1);
        expect(await store.appendEvent('task_a', taskStart('task_a', 2))).toBe(2);
        expect(await store.appendEvent('task_b', taskStart('task_b', 3))).toBe(1);
        expect(await store.appendEvent('task_a', taskStart('task_a', 4))).toBe(3);
        expect(await store.appendEvent('task_b', taskStart('task_b', 5))).toBe(2);
      });

      it('gives concurrent appends distinct, gapless sequence numbers', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        const seqs = await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.appendEvent('task_a', taskStart('task_a', i))),
        );
        expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });

      it('lists events in order with their type, time, payload and seq', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        const events: Omit<TaskEvent, 'seq'>[] = [
          { type: 'task-start', time: 100, data: { taskId: 'task_a', prompt: 'hello' } },
          {
            type: 'step-end',
            time: 200,
            data: {
              taskId: 'task_a',
              step: '1',
              name: 'model:writer',
              kind: 'model',
              agent: 'writer',
              replayed: false,
              inputTokens: 10,
              outputTokens: 20,
              costUsd: 0.0003,
              error: { code: 'model.failed', message: 'boom' },
            },
          },
          {
            type: 'task-end',
            time: 300,
            data: { taskId: 'task_a', status: 'succeeded', output: null, simulated: false },
          },
        ];
        for (const event of events) await store.appendEvent('task_a', event);
        expect(await store.listEvents('task_a')).toEqual(
          events.map((event, i) => ({ ...event, seq: i + 1 })),
        );
      });

      it('lists only events after `afterSeq`', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        for (let i = 1; i <= 5; i++) await store.appendEvent('task_a', taskStart('task_a', i));
        expect((await store.listEvents('task_a', 3)).map((event) => event.seq)).toEqual([4, 5]);
        expect((await store.listEvents('task_a', 0)).map((event) => event.seq)).toEqual([1, 2, 3, 4, 5]);
        expect(await store.listEvents('task_a', 5)).toEqual([]);
      });

      it("does not mix one task's events into another's", async () => {
        await createAll([taskRecord({ id: 'task_a' }), taskRecord({ id: 'task_b' })]);
        await store.appendEvent('task_a', taskStart('task_a', 1));
        await store.appendEvent('task_b', taskStart('task_b', 2));
        expect(await store.listEvents('task_b')).toEqual([{ ...taskStart('task_b', 2), seq: 1 }]);
        expect(await store.listEvents('task_missing')).toEqual([]);
      });

      it('rejects an event for an unknown task with task.not_found', async () => {
        await expectAgentdError(
          store.appendEvent('task_missing', taskStart('task_missing', 1)),
          'task.not_found',
        );
        expect(await store.listEvents('task_missing')).toEqual([]);
      });
    });

    describe('leases', () => {
      it('claims a queued task once, marking it running with the owner and a start time', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        expect(await store.claim('task_a', { owner: 'r1', now: 50, staleBefore: 0 })).toBe(true);
        expect(await store.claim('task_a', { owner: 'r2', now: 51, staleBefore: 0 })).toBe(false);
        expect(await store.get('task_a')).toMatchObject({
          status: 'running',
          owner: 'r1',
          heartbeatAt: 50,
          startedAt: 50,
        });
      });

      it('lets another owner take a running task only when its lease is stale, keeping startedAt', async () => {
        await store.create(taskRecord({ id: 'task_a' }));
        await store.claim('task_a', { owner: 'r1', now: 100, staleBefore: 0 });
        expect(await store.claim('task_a', { owner: 'r2', now: 150, staleBefore: 100 })).toBe(false);
        expect(await store.claim('task_a', { owner: 'r2', now: 200, staleBefore: 101 })).toBe(true);
        expect(await store.get('task_a')).toMatchObject({ owner: 'r2', heartbeatAt: 200, startedAt: 100 });
      });

      it('never claims a finished task', async () => {
        await store.create(taskRecord({ id: 'task_a', status: 'succeeded' }));
        expect(
          await store.claim('task_a', { owner: 'r1', now: 1, staleBefore: Number.POSITIVE_INFINITY }),
        ).toBe(false);
      });

      it("renews only the owner's running tasks", async () => {
        await createAll([taskRecord({ id: 'task_a' }), taskRecord({ id: 'task_b' })]);
        await store.claim('task_a', { owner: 'r1', now: 10, staleBefore: 0 });
        await store.claim('task_b', { owner: 'r2', now: 10, staleBefore: 0 });
        await store.heartbeat({ owner: 'r1', now: 99 });
        expect((await store.get('task_a'))?.heartbeatAt).toBe(99);
        expect((await store.get('task_b'))?.heartbeatAt).toBe(10);
      });
    });
  });
}
