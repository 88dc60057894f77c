// The store conformance suites, unchanged, against PostgreSQL (the server CI runs on this machine, or
// AGENTD_TEST_PG_URL). Each test gets an emptied schema of this file's own.
import { afterAll, beforeAll } from 'vitest';
import { describeApiKeyStoreConformance } from '../conformance/api-key-store-conformance.js';
import { describeAuditStoreConformance } from '../conformance/audit-store-conformance.js';
import { describeJournalStoreConformance } from '../conformance/journal-store-conformance.js';
import { describeLedgerStoreConformance } from '../conformance/ledger-store-conformance.js';
import { describeMcpPinStoreConformance } from '../conformance/mcp-pin-store-conformance.js';
import type { OpenedStore } from '../conformance/open-store.js';
import { describeProcedureStoreConformance } from '../conformance/procedure-store-conformance.js';
import { describeReviewStoreConformance } from '../conformance/review-store-conformance.js';
import { describeRouterStoreConformance } from '../conformance/router-store-conformance.js';
import { describeSecretStoreConformance } from '../conformance/secret-store-conformance.js';
import { describeTaskDeletionConformance } from '../conformance/task-deletion-conformance.js';
import { describeTaskStoreConformance } from '../conformance/task-store-conformance.js';
import { describeTraceStoreConformance } from '../conformance/trace-store-conformance.js';
import { describeVerdictStoreConformance } from '../conformance/verdict-store-conformance.js';
import {
  POSTGRES_TEST_URL,
  describePostgres,
  dropTestSchema,
  emptyTestSchema,
  newTestSchemaName,
  postgresTestsOff,
} from '../../testing/postgres-test-schema.js';
import { openPostgresStores } from './open-postgres-stores.js';
import type { PostgresStores } from './open-postgres-stores.js';

const schema = newTestSchemaName();

if (!postgresTestsOff) {
  beforeAll(async () => {
    // Migrates the schema once; each test then starts from emptied tables.
    await (await openPostgresStores({ url: POSTGRES_TEST_URL, schema })).close();
  });
  afterAll(async () => {
    await dropTestSchema(schema);
  });
}

/** Empties the schema, opens all stores on it and hands the conformance suite the one it tests. */
function openFresh<T>(pick: (stores: PostgresStores) => T): () => Promise<OpenedStore<T>> {
  return async () => {
    const stores = await openPostgresStores({ url: POSTGRES_TEST_URL, schema, poolSize: 4 });
    await emptyTestSchema(stores.pool, schema);
    return { store: pick(stores), close: () => stores.close() };
  };
}

describePostgres('Postgres stores', () => {
  describeTaskDeletionConformance(
    'Postgres',
    openFresh((stores) => stores),
  );
  describeTaskStoreConformance(
    'Postgres',
    openFresh((stores) => stores.tasks),
  );
  describeJournalStoreConformance(
    'Postgres',
    openFresh((stores) => stores.journal),
  );
  describeTraceStoreConformance(
    'Postgres',
    openFresh((stores) => stores.traces),
  );
  describeLedgerStoreConformance(
    'Postgres',
    openFresh((stores) => stores.ledger),
  );
  describeReviewStoreConformance(
    'Postgres',
    openFresh((stores) => stores.reviews),
  );
  describeRouterStoreConformance(
    'Postgres',
    openFresh((stores) => stores.router),
  );
  describeProcedureStoreConformance(
    'Postgres',
    openFresh((stores) => stores.procedures),
  );
  describeAuditStoreConformance(
    'Postgres',
    openFresh((stores) => stores.audit),
  );
  describeVerdictStoreConformance(
    'Postgres',
    openFresh((stores) => stores.verdicts),
  );
  describeSecretStoreConformance(
    'Postgres',
    openFresh((stores) => stores.secrets),
  );
  describeMcpPinStoreConformance(
    'Postgres',
    openFresh((stores) => stores.mcpPins),
  );
  describeApiKeyStoreConformance(
    'Postgres',
    openFresh((stores) => stores.apiKeys),
  );
});
