// A worker's executor id is held by a Postgres advisory lock for its process's life: a second holder
// is refused while it lives, and the id is free once its session ends.
import { DBOS, DBOSClient } from '@dbos-inc/dbos-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { createTestDatabase } from '../../testing/postgres-test-database.js';
import type { TestDatabase } from '../../testing/postgres-test-database.js';
import { DbosConfigSchema } from '../executor-config.js';
import { startWorkerLease } from './worker-lease.js';

describe('worker lease', () => {
  let database: TestDatabase;
  let client: DBOSClient;
  beforeAll(async () => {
    database = await createTestDatabase('dbos_lease');
    // The queue depth in the status reads DBOS's tables, which a worker creates before its lease is used.
    await DBOS.migrate(database.url);
    client = await DBOSClient.create({ systemDatabaseUrl: database.url });
  });
  afterAll(async () => {
    await client.destroy();
    await database.drop();
  });

  const lease = (executorId: string) =>
    startWorkerLease({
      url: database.url,
      config: DbosConfigSchema.parse({ url: database.url, executorId, heartbeatSeconds: 60 }),
      logger: silentLogger,
      client,
      deadLetter: async () => {},
    });

  it('refuses a second holder of a live executor id, and frees the id when its session ends', async () => {
    const first = await lease('w-alpha');
    await expect(lease('w-alpha')).rejects.toMatchObject({ code: 'worker.executor_id_in_use' });
    const other = await lease('w-beta');
    const workers = (await first.status()).workers.map((w) => [w.executorId, w.stale]);
    expect(workers).toEqual([
      ['w-alpha', false],
      ['w-beta', false],
    ]);
    expect(() => first.check()).not.toThrow();
    await first.close();
    const again = await lease('w-alpha');
    await again.close();
    await other.close();
  });
});
