import type pg from 'pg';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/** One schema change of a component: applied once, in version order, recorded in `agentd_migrations`. */
export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** What {@link migratePostgres} did. */
export interface PgMigrationResult {
  /** The versions applied by this call (empty when the schema was current). */
  applied: number[];
  /** The component's version afterwards. */
  version: number;
}

/**
 * The lock every migration run holds, one per schema: two processes starting together run one after
 * the other, and the second finds the work done. Keyed by the schema, so test runs in their own
 * schemas do not wait on each other.
 */
const LOCK = `SELECT pg_advisory_lock(hashtext('agentd.migrations:' || current_schema()))`;
const UNLOCK = `SELECT pg_advisory_unlock(hashtext('agentd.migrations:' || current_schema()))`;

/**
 * Applies a component's pending migrations (`core` for the stores, `memory` for the memory store, …):
 * the whole run under a session advisory lock, each migration in its own transaction together with
 * its row in `agentd_migrations`, so a migration is applied entirely or not at all. Throws
 * `store.schema_too_new` when the database holds a version this code does not know.
 */
export async function migratePostgres(
  pool: pg.Pool,
  options: { component: string; migrations: readonly PgMigration[] },
): Promise<PgMigrationResult> {
  const { component, migrations } = options;
  assertOrdered(component, migrations);
  const latestKnown = migrations.at(-1)?.version ?? 0;
  // One connection for the run: a session lock belongs to its connection (and is released by the
  // server if this process dies holding it).
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(LOCK);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS agentd_migrations (
        component  text NOT NULL,
        version    integer NOT NULL,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (component, version)
      )`);
      const { rows } = await client.query<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM agentd_migrations WHERE component = $1',
        [component],
      );
      const current = rows[0]?.version ?? 0;
      if (current > latestKnown) {
        throw new AgentdError({
          code: 'store.schema_too_new',
          message:
            `the database has ${component} schema version ${current}, but this agentd only knows up to ` +
            `version ${latestKnown}; it was written by a newer agentd — upgrade agentd to use it`,
          details: { component, schemaVersion: current, supportedVersion: latestKnown },
        });
      }
      const applied: number[] = [];
      for (const migration of migrations) {
        if (migration.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO agentd_migrations (component, version, name) VALUES ($1, $2, $3)', [
            component,
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw new AgentdError({
            code: 'store.invalid_migrations',
            message: `${component} migration ${migration.version} (${migration.name}) failed: ${
              error instanceof Error ? error.message : String(error)
            }`,
            cause: error,
          });
        }
        applied.push(migration.version);
      }
      return { applied, version: Math.max(current, latestKnown) };
    } finally {
      await client.query(UNLOCK);
    }
  } catch (error) {
    broken = true;
    throw error;
  } finally {
    // A connection whose run failed may still hold the lock or a transaction: close it, not reuse it.
    client.release(broken);
  }
}

/** The applied migrations of every component, oldest first (what `agentd doctor` shows). */
export async function listPgMigrations(
  pool: pg.Pool,
): Promise<{ component: string; version: number; name: string; appliedAt: Date }[]> {
  const { rows } = await pool.query<{ component: string; version: number; name: string; applied_at: Date }>(
    `SELECT component, version, name, applied_at FROM agentd_migrations ORDER BY component, version`,
  );
  return rows.map((row) => ({
    component: row.component,
    version: row.version,
    name: row.name,
    appliedAt: row.applied_at,
  }));
}

function assertOrdered(component: string, migrations: readonly PgMigration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    if (!Number.isInteger(migration.version) || migration.version <= previous) {
      throw new AgentdError({
        code: 'store.invalid_migrations',
        message: `${component} migration versions must be positive integers in increasing order; '${migration.name}' has version ${migration.version} after ${previous}`,
      });
    }
    previous = migration.version;
  }
}
