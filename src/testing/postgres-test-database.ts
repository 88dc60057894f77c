import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A database of its own for one test run, on the Postgres of `AGENTD_TEST_POSTGRES_URL` (or the local one). */
export interface TestDatabase {
  url: string;
  /** Drops the database (ending any connection still open on it). */
  drop(): Promise<void>;
}

/** The server the Postgres tests use: the local one of `.ci/run`, trust auth. */
export const TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Creates `agentd_<prefix>_<random>` on the test server. */
export async function createTestDatabase(
  prefix: string,
  serverUrl = TEST_POSTGRES_URL,
): Promise<TestDatabase> {
  const name = `agentd_${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
