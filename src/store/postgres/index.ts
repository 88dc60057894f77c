// The Postgres adapter's public surface: what the composition root, the worker and other Postgres
// components (memory) use.
export { openPostgresStores } from './open-postgres-stores.js';
export type { OpenPostgresOptions, PostgresStores } from './open-postgres-stores.js';
export { describePostgresStore } from './describe-postgres-store.js';
export { listPgMigrations, migratePostgres } from './pg-migrations.js';
export type { PgMigration, PgMigrationResult } from './pg-migrations.js';
export { createPgPool, isPlainIdentifier } from './pg-pool.js';
export type { PgPoolOptions } from './pg-pool.js';
export { inTransaction, jsonParam, namedStatement, nullableJsonParam } from './pg-query.js';
export { isForeignKeyViolation, isUniqueViolation, storeConflict } from './pg-errors.js';
export { redactedPostgresUrl } from './pg-unreachable.js';
export { PostgresTaskStore } from './postgres-task-store.js';
export { postgresCoreMigrations } from './postgres-migrations.js';
export { openPostgresMemoryStore } from './postgres-memory-store.js';
