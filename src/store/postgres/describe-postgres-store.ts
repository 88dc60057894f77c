import type pg from 'pg';
import { listPgMigrations } from './pg-migrations.js';

/**
 * One line about a Postgres store for `agentd doctor`: the server's version, where it is, and the
 * latest migration of each component (`core 1, memory 2`).
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
  return `postgres ${rows[0]?.version ?? '?'} at ${redactedUrl}${where}, migrations: ${migrations || 'none'}`;
}
