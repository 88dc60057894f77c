import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

/**
 * The database Postgres tests use: `AGENTD_TEST_PG_URL`, or the server CI runs on this machine. Each
 * test file works in a schema of its own (`agentd_t_<random>`), dropped at the end, so files and runs
 * in parallel never see each other's rows.
 */
export const POSTGRES_TEST_URL =
  process.env['AGENTD_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * `AGENTD_TEST_PG=off` skips the Postgres tests (a machine without Postgres). Nothing else does: an
 * unreachable server fails them, so CI cannot go green without running them.
 */
export const postgresTestsOff = process.env['AGENTD_TEST_PG'] === 'off';

/** `describe`, or a skipped one saying why when `AGENTD_TEST_PG=off`. */
export function describePostgres(name: string, body: () => void): void {
  if (postgresTestsOff) describe.skip(`${name} (skipped: AGENTD_TEST_PG=off)`, body);
  else describe(name, body);
}

/** A fresh schema name for one test file. */
export function newTestSchemaName(): string {
  return `agentd_t_${randomBytes(6).toString('hex')}`;
}

/** Runs `work` on a short-lived connection to the test database; an unreachable server says what to do. */
export async function withTestClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `Postgres tests need a server at ${POSTGRES_TEST_URL} (set AGENTD_TEST_PG_URL, or AGENTD_TEST_PG=off to skip them): ${
        error instanceof Error ? error.message || error.name : String(error)
      }`,
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Drops a test schema and everything in it. */
export async function dropTestSchema(schema: string): Promise<void> {
  await withTestClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/**
 * Empties every agentd table of a test schema (the migrations stay recorded), so a test starts clean.
 * Runs on a connection of the caller's (the stores' own pool): a new connection per test cost more
 * than the test.
 */
export async function emptyTestSchema(db: Pick<pg.Pool, 'query'>, schema: string): Promise<void> {
  // Tables holding a foreign key first (task_events before tasks): one level of references is all the
  // schema has.
  const { rows } = await db.query<{ tablename: string }>(
    `SELECT c.relname AS tablename FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> 'agentd_migrations'
     ORDER BY EXISTS (SELECT 1 FROM pg_constraint f WHERE f.conrelid = c.oid AND f.contype = 'f') DESC, c.relname`,
    [schema],
  );
  if (rows.length === 0) return;
  // DELETE rather than TRUNCATE: on a few rows it is far faster (TRUNCATE makes new files).
  const tables = rows.map((row) => row.tablename);
  await db.query(tables.map((table) => `DELETE FROM ${schema}.${table};`).join('\n'));
}
