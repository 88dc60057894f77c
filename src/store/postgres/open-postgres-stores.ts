import type pg from 'pg';
import type { MemoryStore } from '../memory-store.js';
import type { Stores } from '../stores.js';
import { isUniqueViolation } from './pg-errors.js';
import { migratePostgres } from './pg-migrations.js';
import { createPgPool } from './pg-pool.js';
import { PostgresApiKeyStore } from './postgres-api-key-store.js';
import { PostgresAuditStore } from './postgres-audit-store.js';
import { PostgresJournalStore } from './postgres-journal-store.js';
import { PostgresLedgerStore } from './postgres-ledger-store.js';
import { PostgresMcpPinStore } from './postgres-mcp-pin-store.js';
import { postgresCoreMigrations } from './postgres-migrations.js';
import { PostgresProcedureStore } from './postgres-procedure-store.js';
import { PostgresReviewStore } from './postgres-review-store.js';
import { PostgresRouterStore } from './postgres-router-store.js';
import { PostgresSecretStore } from './postgres-secret-store.js';
import { PostgresTaskStore } from './postgres-task-store.js';
import { PostgresTraceStore } from './postgres-trace-store.js';
import { PostgresVerdictStore } from './postgres-verdict-store.js';
import { unsupportedMemoryStore } from './unsupported-memory-store.js';
import { redactedPostgresUrl, unreachable } from './pg-unreachable.js';

/** Options of {@link openPostgresStores}. */
export interface OpenPostgresOptions {
  /** `postgres://user@host:port/database`. */
  url: string;
  /** The schema to keep agentd's tables in (created if missing); default: the server's search path. */
  schema?: string;
  /** Pool size (default 10). */
  poolSize?: number;
  /**
   * Opens the memory store on the same pool, after the core migrations (it runs its own, as the
   * component `memory`, with {@link migratePostgres}). Without it, memory calls fail with
   * `store.unsupported`.
   */
  memory?: (pool: pg.Pool) => Promise<MemoryStore>;
  /** Told when an idle connection fails (a server restart); the pool replaces it. */
  onIdleError?: (error: Error) => void;
}

/** The Postgres stores: every store of {@link Stores}, and the pool they share. */
export interface PostgresStores extends Stores {
  /** The task store, with the Postgres-only batch dequeue (`claimNext`) workers use. */
  tasks: PostgresTaskStore;
  /** The connection pool (for components that keep their own tables in the same database). */
  readonly pool: pg.Pool;
  /** Whether `memories` is a real store (false: every call fails with `store.unsupported`). */
  readonly hasMemory: boolean;
  /** The URL without its password (for logs and `agentd doctor`). */
  readonly url: string;
}

/**
 * Connects to PostgreSQL, applies the `core` migrations (under an advisory lock: processes starting
 * together do not race) and opens every store on one pool; `close()` ends the pool. Throws
 * `store.unreachable` when the server cannot be reached.
 */
export async function openPostgresStores(options: OpenPostgresOptions): Promise<PostgresStores> {
  const pool = createPgPool({
    url: options.url,
    ...(options.schema !== undefined ? { schema: options.schema } : {}),
    ...(options.poolSize !== undefined ? { max: options.poolSize } : {}),
    ...(options.onIdleError ? { onIdleError: options.onIdleError } : {}),
  });
  try {
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      throw unreachable(options.url, error);
    }
    if (options.schema !== undefined) await createSchema(pool, options.schema);
    await migratePostgres(pool, { component: 'core', migrations: postgresCoreMigrations });
    const memories = options.memory ? await options.memory(pool) : unsupportedMemoryStore();
    return {
      pool,
      url: redactedPostgresUrl(options.url),
      hasMemory: options.memory !== undefined,
      tasks: new PostgresTaskStore(pool),
      journal: new PostgresJournalStore(pool),
      traces: new PostgresTraceStore(pool),
      ledger: new PostgresLedgerStore(pool),
      reviews: new PostgresReviewStore(pool),
      router: new PostgresRouterStore(pool),
      memories,
      procedures: new PostgresProcedureStore(pool),
      audit: new PostgresAuditStore(pool),
      verdicts: new PostgresVerdictStore(pool),
      apiKeys: new PostgresApiKeyStore(pool),
      secrets: new PostgresSecretStore(pool),
      mcpPins: new PostgresMcpPinStore(pool),
      async close() {
        await pool.end();
      },
    };
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    // The name was checked to be a plain identifier when the pool was made.
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    // Two processes creating it at once: one of them wins, which is all that is needed.
    if (!isUniqueViolation(error)) throw error;
  }
}
