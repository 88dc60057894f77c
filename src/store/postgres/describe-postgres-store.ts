import type pg from 'pg';
import { listPgMigrations } from './pg-migrations.js';

/**
 * One line about a Postgres store for `agentd doctor`: the server's version, where it is, and the
 * latest migration of each component (`core 2, memory 1`).
 */
export async function describePostgresStore(pool: pg.Pool, redactedUrl: string): Promise<string> {
  const { rows } = await pool.query<{ version: string; schema: string | null }>(
    `SELECT current_setting('server_version') AS version, current_schema() AS schema`,
  );
  const latest = new Map<string, number>();
  for (const migration of await listPgMigrations(pool)) {
    latest.set(migration.component, Math.max(latest.get(migration.component) ?? 0, migration.version));
  }
  const migrations = [...latest].map(([component, version]) => `${component} ${version}`).join(', ');
  const where = rows[0]?.schema && rows[0].schema !== 'public' ? `, schema ${rows[0].schema}` : '';
  // `15.20 (Debian 15.20-0+deb12u1)`: the number says enough.
  const version = rows[0]?.version.split(' ')[0] ?? '?';
  // The address without its query (connection options), which the schema already sums up.
  const address = redactedUrl.split('?')[0] ?? redactedUrl;
  return `postgres ${version} at ${address}${where}, migrations: ${migrations || 'none'}`;
}
