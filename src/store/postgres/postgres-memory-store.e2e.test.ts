import { describeMemoryStoreConformance } from '../conformance/memory-store-conformance.js';
import { memoryMigrations } from './memory-migrations.js';
import { PostgresMemoryStore } from './postgres-memory-store.js';
import { applyTestMigrations, createTestSchema } from './testing-pg-schema.js';

describeMemoryStoreConformance('Postgres, quantized scan', async () => {
  const schema = await createTestSchema();
  await applyTestMigrations(schema.pool, memoryMigrations);
  return { store: new PostgresMemoryStore(schema.pool), close: () => schema.drop() };
});
