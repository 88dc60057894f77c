import { postgresCoreMigrations } from './postgres-migrations.js';
import type pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import { expectAgentdError } from '../conformance/expect-agentd-error.js';
import {
  POSTGRES_TEST_URL,
  describePostgres,
  dropTestSchema,
  newTestSchemaName,
} from '../../testing/postgres-test-schema.js';
import { listPgMigrations, migratePostgres } from './pg-migrations.js';
import type { PgMigration } from './pg-migrations.js';
import { createPgPool } from './pg-pool.js';
import { openPostgresStores } from './open-postgres-stores.js';

const schemas: string[] = [];
const pools: pg.Pool[] = [];

/** A pool on a fresh schema of its own (or on `schema`): each pool is what one process would hold. */
async function poolOn(schema = newTestSchemaName()): Promise<{ pool: pg.Pool; schema: string }> {
  if (!schemas.includes(schema)) schemas.push(schema);
  const pool = createPgPool({ url: POSTGRES_TEST_URL, schema, max: 2 });
  pools.push(pool);
  await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).catch(() => undefined);
  return { pool, schema };
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.end()));
});
afterAll(async () => {
  for (const schema of schemas.splice(0)) await dropTestSchema(schema);
});

// The first migration sleeps, so a second process starting meanwhile reaches the lock while the first
// one still holds it.
const slow: PgMigration[] = [
  { version: 1, name: 'slow table', sql: 'SELECT pg_sleep(0.3); CREATE TABLE things (id text PRIMARY KEY);' },
  { version: 2, name: 'a column', sql: 'ALTER TABLE things ADD COLUMN label text;' },
];

describePostgres('migratePostgres', () => {
  it('applies each migration once when two processes start together on an empty schema', async () => {
    const { pool: first, schema } = await poolOn();
    const { pool: second } = await poolOn(schema);
    const results = await Promise.all([
      migratePostgres(first, { component: 'test', migrations: slow }),
      migratePostgres(second, { component: 'test', migrations: slow }),
    ]);
    // One did the work, the other found it done (neither failed on a table that already exists).
    expect(results.map((r) => r.applied).sort()).toEqual([[], [1, 2]]);
    expect(results.map((r) => r.version)).toEqual([2, 2]);
    const applied = await listPgMigrations(first);
    expect(applied.map((m) => [m.component, m.version, m.name])).toEqual([
      ['test', 1, 'slow table'],
      ['test', 2, 'a column'],
    ]);
    await first.query(`INSERT INTO things (id, label) VALUES ('a', 'b')`);
  });

  it('applies only what is new, and keeps components apart', async () => {
    const { pool } = await poolOn();
    const [v1] = slow;
    expect(
      (await migratePostgres(pool, { component: 'test', migrations: [v1 as PgMigration] })).applied,
    ).toEqual([1]);
    expect((await migratePostgres(pool, { component: 'test', migrations: slow })).applied).toEqual([2]);
    expect((await migratePostgres(pool, { component: 'test', migrations: slow })).applied).toEqual([]);
    const other: PgMigration[] = [{ version: 1, name: 'other', sql: 'CREATE TABLE others (id text);' }];
    expect((await migratePostgres(pool, { component: 'memory', migrations: other })).applied).toEqual([1]);
    expect((await listPgMigrations(pool)).map((m) => `${m.component}@${m.version}`)).toEqual([
      'memory@1',
      'test@1',
      'test@2',
    ]);
  });

  it('rolls a failing migration back entirely, keeping the ones before it', async () => {
    const { pool } = await poolOn();
    const broken: PgMigration[] = [
      ...slow,
      { version: 3, name: 'broken', sql: 'CREATE TABLE halfway (id text); SELECT no_such_function();' },
    ];
    const error = await expectAgentdError(
      migratePostgres(pool, { component: 'test', migrations: broken }),
      'store.invalid_migrations',
    );
    expect(error.message).toContain('test migration 3 (broken) failed');
    expect((await listPgMigrations(pool)).map((m) => m.version)).toEqual([1, 2]);
    const { rows } = await pool.query(`SELECT to_regclass('halfway') AS found`);
    expect(rows[0]).toEqual({ found: null });
    // The lock was released: the next run goes ahead.
    expect((await migratePostgres(pool, { component: 'test', migrations: slow })).applied).toEqual([]);
  });

  it('refuses a database migrated by a newer agentd', async () => {
    const { pool } = await poolOn();
    await migratePostgres(pool, { component: 'test', migrations: slow });
    await expectAgentdError(
      migratePostgres(pool, { component: 'test', migrations: slow.slice(0, 1) }),
      'store.schema_too_new',
    );
  });

  it('refuses migrations out of order', async () => {
    const { pool } = await poolOn();
    await expectAgentdError(
      migratePostgres(pool, { component: 'test', migrations: [...slow].reverse() }),
      'store.invalid_migrations',
    );
  });

  it('opens the stores of two processes starting together on one fresh schema', async () => {
    const schema = newTestSchemaName();
    schemas.push(schema);
    const opened = await Promise.all([
      openPostgresStores({ url: POSTGRES_TEST_URL, schema, poolSize: 2 }),
      openPostgresStores({ url: POSTGRES_TEST_URL, schema, poolSize: 2 }),
    ]);
    try {
      const [a, b] = opened;
      await a?.journal.markStarted({ taskId: 't', key: '1', name: 'n', startedAt: 1 });
      expect(await b?.journal.listStarted('t')).toHaveLength(1);
      // Each core migration applied exactly once.
      expect((await listPgMigrations(opened[0]!.pool)).map((m) => `${m.component}@${m.version}`)).toEqual(
        postgresCoreMigrations.map((migration) => `core@${migration.version}`),
      );
    } finally {
      await Promise.all(opened.map((stores) => stores.close()));
    }
  });

  it('names the server it could not reach, without the password', async () => {
    const error = await expectAgentdError(
      openPostgresStores({ url: 'postgres://agentd:hunter2@127.0.0.1:1/none' }),
      'store.unreachable',
    );
    expect(error.message).toContain('127.0.0.1:1');
    expect(error.message).not.toContain('hunter2');
  });
});
