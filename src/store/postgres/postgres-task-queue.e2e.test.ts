// The task table is the queue every process on the database shares: these tests run several stores
// on pools of their own (as separate processes would) against the same rows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TaskRecord } from '../task-store.js';
import {
  POSTGRES_TEST_URL,
  describePostgres,
  dropTestSchema,
  emptyTestSchema,
  newTestSchemaName,
} from '../../testing/postgres-test-schema.js';
import { openPostgresStores } from './open-postgres-stores.js';
import type { PostgresStores } from './open-postgres-stores.js';

const schema = newTestSchemaName();
const PROCESSES = 4;
let processes: PostgresStores[] = [];

function queued(id: string): TaskRecord {
  return {
    id,
    status: 'queued',
    prompt: 'p',
    input: { prompt: 'p' },
    output: null,
    error: null,
    result: null,
    simulated: false,
    owner: null,
    heartbeatAt: null,
    createdAt: 1_000,
    startedAt: null,
    finishedAt: null,
  };
}

describePostgres('Postgres task queue shared by processes', () => {
  beforeAll(async () => {
    processes = [];
    for (let i = 0; i < PROCESSES; i++) {
      processes.push(await openPostgresStores({ url: POSTGRES_TEST_URL, schema, poolSize: 4 }));
    }
  });
  afterAll(async () => {
    await Promise.all(processes.map((stores) => stores.close()));
    await dropTestSchema(schema);
  });

  it('gives every task to exactly one of several processes claiming all of them at once', async () => {
    const [first] = processes as [PostgresStores];
    await emptyTestSchema(first.pool, schema);
    const ids = Array.from({ length: 40 }, (_, i) => `task_${String(i).padStart(2, '0')}`);
    for (const id of ids) await first.tasks.create(queued(id));
    const claims = await Promise.all(
      processes.flatMap((stores, p) =>
        ids.map(async (id) => ({
          id,
          owner: `worker-${p}`,
          won: await stores.tasks.claim(id, { owner: `worker-${p}`, now: 5_000, staleBefore: 0 }),
        })),
      ),
    );
    const winners = claims.filter((claim) => claim.won);
    expect(winners.map((w) => w.id).sort()).toEqual(ids);
    for (const winner of winners) {
      expect(await first.tasks.get(winner.id)).toMatchObject({
        status: 'running',
        owner: winner.owner,
        heartbeatAt: 5_000,
      });
    }
  });

  it('lets exactly one process take over a stale lease', async () => {
    const [first] = processes as [PostgresStores];
    await emptyTestSchema(first.pool, schema);
    await first.tasks.create(queued('task_stale'));
    await first.tasks.claim('task_stale', { owner: 'dead', now: 100, staleBefore: 0 });
    const won = await Promise.all(
      processes.map((stores, p) =>
        stores.tasks.claim('task_stale', { owner: `worker-${p}`, now: 10_000, staleBefore: 5_000 }),
      ),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await first.tasks.get('task_stale'))?.owner).toBe(`worker-${won.indexOf(true)}`);
  });

  it('hands every queued task to exactly one worker dequeuing in batches, oldest first', async () => {
    const [first] = processes as [PostgresStores];
    await emptyTestSchema(first.pool, schema);
    const ids = Array.from({ length: 40 }, (_, i) => `task_${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await first.tasks.create({ ...queued(id), createdAt: 1_000 + i });
    const taken = await Promise.all(
      processes.map(async (stores, p) => {
        const mine: string[] = [];
        for (;;) {
          const batch = await stores.tasks.claimNext({
            owner: `worker-${p}`,
            now: 9_000,
            staleBefore: 0,
            limit: 3,
          });
          if (batch.length === 0) return mine;
          expect([...batch].sort()).toEqual(batch);
          mine.push(...batch);
        }
      }),
    );
    expect(taken.flat().sort()).toEqual(ids);
    const rows = await first.pool.query<{ owner: string; n: string }>(
      `SELECT owner, COUNT(*) AS n FROM tasks WHERE status = 'running' GROUP BY owner`,
    );
    expect(rows.rows.reduce((total, row) => total + Number(row.n), 0)).toBe(40);
  });

  it('dequeues stale leases and only the tasks of the config asked for', async () => {
    const [first] = processes as [PostgresStores];
    await emptyTestSchema(first.pool, schema);
    const origin = (configFingerprint: string) => ({ origin: { configFingerprint, configPath: null } });
    await first.tasks.create({ ...queued('task_a'), createdAt: 1, ...origin('sha256:a') });
    await first.tasks.create({ ...queued('task_b'), createdAt: 2, ...origin('sha256:b') });
    await first.tasks.create({ ...queued('task_live'), createdAt: 3, ...origin('sha256:a') });
    await first.tasks.create({ ...queued('task_stale'), createdAt: 4, ...origin('sha256:a') });
    await first.tasks.claim('task_live', { owner: 'alive', now: 5_000, staleBefore: 0 });
    await first.tasks.claim('task_stale', { owner: 'dead', now: 100, staleBefore: 0 });
    const lease = { owner: 'w', now: 6_000, staleBefore: 1_000, limit: 10 };
    expect(await first.tasks.claimNext({ ...lease, configFingerprint: 'sha256:a' })).toEqual([
      'task_a',
      'task_stale',
    ]);
    expect(await first.tasks.claimNext(lease)).toEqual(['task_b']);
    expect(await first.tasks.get('task_stale')).toMatchObject({
      owner: 'w',
      heartbeatAt: 6_000,
      startedAt: 100,
    });
  });

  it('numbers events appended by several processes at once without a gap or a repeat', async () => {
    const [first] = processes as [PostgresStores];
    await emptyTestSchema(first.pool, schema);
    await first.tasks.create(queued('task_events'));
    const seqs = await Promise.all(
      processes.flatMap((stores) =>
        Array.from({ length: 10 }, (_, i) =>
          stores.tasks.appendEvent('task_events', {
            type: 'task-start',
            time: i,
            data: { taskId: 'task_events', prompt: 'p' },
          }),
        ),
      ),
    );
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });

  it('records a journal step once when two processes finish it at once', async () => {
    const [first] = processes as [PostgresStores];
    await emptyTestSchema(first.pool, schema);
    const step = {
      taskId: 'task_j',
      key: '1',
      name: 'model:writer',
      status: 'completed' as const,
      output: 'x',
      error: null,
      startedAt: 1,
      finishedAt: 2,
    };
    const results = await Promise.allSettled(
      processes.map((stores, p) => stores.journal.record({ ...step, output: `from ${p}` })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected.map((r) => (r.reason as { code?: string }).code)).toEqual(
      Array(PROCESSES - 1).fill('store.conflict'),
    );
    expect(await first.journal.list('task_j')).toHaveLength(1);
  });
});
