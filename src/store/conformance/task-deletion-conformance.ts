import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Stores } from '../stores.js';
import type { TaskRecord, TaskStatus } from '../task-store.js';
import { expectAgentdError } from './expect-agentd-error.js';
import type { OpenStore } from './open-store.js';
import '../../executor/executor-error-codes.js';

function taskRecord(id: string, status: TaskStatus, finishedAt: number | null): TaskRecord {
  return {
    id,
    status,
    prompt: `prompt of ${id}`,
    input: { prompt: `prompt of ${id}` },
    output: null,
    error: null,
    result: null,
    simulated: false,
    owner: null,
    heartbeatAt: null,
    createdAt: 1_000,
    startedAt: 1_000,
    finishedAt,
  };
}

/**
 * Registers the behaviour of deleting and listing finished tasks (TaskStore.deleteFinished,
 * listFinishedBefore), which spans every store keyed by a task id: `open` returns all stores opened
 * together on one fresh, empty database.
 */
export function describeTaskDeletionConformance(name: string, open: OpenStore<Stores>): void {
  describe(`TaskStore deletion conformance: ${name}`, () => {
    let stores: Stores;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store: stores, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    /** A task with one row of every kind recorded under its id. */
    async function taskWithHistory(id: string, status: TaskStatus, finishedAt: number | null = 5_000) {
      await stores.tasks.create(taskRecord(id, status, finishedAt));
      await stores.tasks.appendEvent(id, {
        type: 'task-start',
        time: 1_000,
        data: { taskId: id, prompt: 'p' },
      });
      await stores.journal.markStarted({ taskId: id, key: '1', name: 'model', startedAt: 1_000 });
      await stores.journal.record({
        taskId: id,
        key: '1',
        name: 'model',
        status: 'completed',
        output: 'x',
        error: null,
        startedAt: 1_000,
        finishedAt: 1_100,
      });
      await stores.traces.insert([
        {
          spanId: `span-${id}`,
          traceId: `trace-${id}`,
          parentSpanId: null,
          taskId: id,
          name: 'task',
          kind: 'task',
          startTime: 1_000,
          endTime: 2_000,
          status: 'ok',
          statusMessage: null,
          attributes: {},
        },
      ]);
      await stores.reviews.open({
        id: `review-${id}`,
        taskId: id,
        stepKey: '2',
        kind: 'tool-approval',
        question: 'ok?',
        payload: null,
        status: 'answered',
        answer: { decision: 'approve', note: null, payload: null },
        createdAt: 1_200,
        answeredAt: 1_300,
      });
      await stores.verdicts.add({
        id: `verdict-${id}`,
        taskId: id,
        round: 1,
        rubricName: 'default',
        rubricHash: 'hash',
        mode: 'checks',
        approved: true,
        score: null,
        checks: [],
        votes: [],
        consensus: {},
        nEff: null,
        costUsd: 0,
        createdAt: 1_400,
      });
      await stores.ledger.record({
        id: `cost-${id}`,
        taskId: id,
        agent: 'writer',
        modelId: 'm',
        provider: 'p',
        inputTokens: 10,
        outputTokens: 5,
        costUsd: 0.25,
        source: 'measured',
        status: 'settled',
        createdAt: 1_050,
      });
    }

    it('deletes a finished task with its events, journal, spans, reviews and verdicts, in one go', async () => {
      await taskWithHistory('task_old', 'succeeded');
      await taskWithHistory('task_other', 'succeeded');

      const deletion = await stores.tasks.deleteFinished('task_old', 9_000);

      expect(deletion).toEqual({ events: 1, steps: 1, spans: 1, reviews: 1, verdicts: 1, costRowsMarked: 1 });
      expect(await stores.tasks.get('task_old')).toBeNull();
      expect(await stores.tasks.listEvents('task_old')).toEqual([]);
      expect(await stores.journal.list('task_old')).toEqual([]);
      expect(await stores.journal.listStarted('task_old')).toEqual([]);
      expect(await stores.traces.listByTask('task_old')).toEqual([]);
      expect(await stores.reviews.get('review-task_old')).toBeNull();
      expect(await stores.verdicts.listByTask('task_old')).toEqual([]);
      // The other task keeps everything.
      expect(await stores.tasks.get('task_other')).not.toBeNull();
      expect(await stores.journal.list('task_other')).toHaveLength(1);
      expect(await stores.traces.listByTask('task_other')).toHaveLength(1);
      expect(await stores.verdicts.listByTask('task_other')).toHaveLength(1);
    });

    it('keeps the cost rows, marked pruned, and still counts them in every total', async () => {
      await taskWithHistory('task_old', 'failed');
      const before = await stores.ledger.totals({ since: 0 });

      await stores.tasks.deleteFinished('task_old', 9_000);

      const rows = await stores.ledger.listByTask('task_old');
      expect(rows).toHaveLength(1);
      expect(rows[0]?.prunedAt).toBe(9_000);
      expect(rows[0]?.costUsd).toBe(0.25);
      expect(await stores.ledger.totals({ since: 0 })).toEqual(before);
      expect(await stores.ledger.totals({ taskId: 'task_old' })).toEqual(before);
    });

    it('refuses a queued, running or waiting task with task.not_finished and deletes nothing', async () => {
      for (const status of ['queued', 'running', 'waiting'] as const) {
        const id = `task_${status}`;
        await taskWithHistory(id, status, null);
        await expectAgentdError(stores.tasks.deleteFinished(id, 9_000), 'task.not_finished');
        expect((await stores.tasks.get(id))?.status).toBe(status);
        expect(await stores.tasks.listEvents(id)).toHaveLength(1);
        expect(await stores.journal.list(id)).toHaveLength(1);
        expect(await stores.traces.listByTask(id)).toHaveLength(1);
        expect((await stores.ledger.listByTask(id))[0]?.prunedAt).toBeUndefined();
      }
    });

    it('returns null for an unknown task, and for one already deleted (the first mark stays)', async () => {
      expect(await stores.tasks.deleteFinished('task_nope', 9_000)).toBeNull();
      await taskWithHistory('task_old', 'cancelled');
      await stores.tasks.deleteFinished('task_old', 9_000);
      expect(await stores.tasks.deleteFinished('task_old', 9_500)).toBeNull();
      expect((await stores.ledger.listByTask('task_old'))[0]?.prunedAt).toBe(9_000);
    });

    it('lists finished tasks that finished before the cutoff, oldest finish first, never unfinished ones', async () => {
      await stores.tasks.create(taskRecord('task_c', 'succeeded', 3_000));
      await stores.tasks.create(taskRecord('task_a', 'failed', 2_000));
      await stores.tasks.create(taskRecord('task_b', 'cancelled', 2_000));
      await stores.tasks.create(taskRecord('task_new', 'succeeded', 8_000));
      await stores.tasks.create(taskRecord('task_run', 'running', null));
      await stores.tasks.create(taskRecord('task_wait', 'waiting', null));
      // Finished but with no finish time (stored before agentd set one): its creation counts.
      await stores.tasks.create(taskRecord('task_nofinish', 'cancelled', null));

      const ids = async (query: Parameters<Stores['tasks']['listFinishedBefore']>[0]) =>
        (await stores.tasks.listFinishedBefore(query)).map((t) => t.id);
      expect(await ids({ finishedBefore: 8_000, limit: 10 })).toEqual([
        'task_nofinish',
        'task_a',
        'task_b',
        'task_c',
      ]);
      expect(await ids({ finishedBefore: 3_000, limit: 10 })).toEqual(['task_nofinish', 'task_a', 'task_b']);
      expect(await ids({ finishedBefore: 9_000, limit: 2 })).toEqual(['task_nofinish', 'task_a']);
      expect(await ids({ finishedBefore: 9_000, status: ['failed', 'succeeded'], limit: 10 })).toEqual([
        'task_a',
        'task_c',
        'task_new',
      ]);
      // A status filter naming an unfinished status still lists no unfinished task.
      const sneaky = ['running', 'waiting', 'queued'] as unknown as ['failed'];
      expect(await ids({ finishedBefore: 9_000, status: sneaky, limit: 10 })).toEqual([]);
    });
  });
}
