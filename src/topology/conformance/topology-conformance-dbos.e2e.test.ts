// The topology conformance suite on DBOS Transact (executor.engine: dbos) against the local Postgres:
// every task runs as a DBOS workflow from the queue, every step is a DBOS step (ADR 0085).
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase } from '../../testing/postgres-test-database.js';
import type { TestDatabase } from '../../testing/postgres-test-database.js';
import { topologyConformanceSuite } from './topology-conformance.js';

let database: TestDatabase | undefined;
beforeAll(async () => {
  database = await createTestDatabase('dbos');
});
afterAll(async () => {
  await database?.drop();
});

topologyConformanceSuite('dbos', () => ({
  executor: { engine: 'dbos', dbos: { url: database?.url } },
}));
