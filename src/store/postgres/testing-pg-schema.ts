// Test support: a Postgres schema of its own for each test (run), on the local server, dropped after.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migratePostgres } from './pg-migrations.js';
import type { PgMigration } from './pg-migrations.js';

/** The local test database (trust authentication; see README "Tests"). */
export const TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A schema made for one test and a pool whose connections use it. */
export interface TestSchema {
  name: string;
  pool: pg.Pool;
  /** Closes the pool and drops the schema with everything in it. */
  drop(): Promise<void>;
}

/** Creates `agentd_t_<random>` in the test database and a pool with it as search_path. */
export async function createTestSchema(
  options: { url?: string; poolSize?: number } = {},
): Promise<TestSchema> {
  const url = options.url ?? TEST_DATABASE_URL;
  const name = `agentd_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    // Tests need no durability across a crash of the server: commits do not wait for the WAL flush.
    options: `-c search_path=${name} -c synchronous_commit=off`,
  });
  return {
    name,
    pool,
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA ${name} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Applies the memory store's migrations through the real runner (as `openPostgresMemoryStore` does). */
export async function applyTestMigrations(pool: pg.Pool, migrations: readonly PgMigration[]): Promise<void> {
  await migratePostgres(pool, { component: 'memory', migrations: [...migrations] });
}
