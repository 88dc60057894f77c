import type { AgentdConfig } from '../config/index.js';
import { AgentdError } from '../core/errors.js';
import '../store/store-error-codes.js';
import type { Logger } from '../core/logger.js';
import type { MemoryStore } from '../store/memory-store.js';
import type { Stores } from '../store/stores.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type pg from 'pg';

/** The stores a runtime opened, and which engine holds them. */
export interface OpenedStores {
  stores: Stores;
  engine: 'sqlite' | 'postgres';
  /** What `agentd doctor` prints about the database (server version, migrations), read on demand. */
  describe(): Promise<string>;
}

/**
 * The Postgres memory store, when one exists. Null until then: a runtime on Postgres with memory on
 * refuses to start (`store.unsupported`), and one with memory off gets a memory store whose every
 * call fails with `store.unsupported`.
 * Seam: the Postgres MemoryStore plugs in here (`(pool) => open it on the pool`; it runs its own
 * migrations as the component `memory` through `migratePostgres`).
 */
const postgresMemoryStore: ((pool: pg.Pool) => Promise<MemoryStore>) | null = null;

/**
 * Opens the configured store: PostgreSQL when `store.url` is set, else the SQLite file at
 * `store.path`. The Postgres adapter (and `pg`) is loaded only when used, so the default start-up
 * does not pay for it.
 */
export async function openStores(
  config: AgentdConfig,
  logger: Logger,
  /** `memory: false`: the caller uses no memory (the vault alone), so memory on is no reason to refuse. */
  options: { memory?: boolean } = {},
): Promise<OpenedStores> {
  const url = config.store.url;
  if (url === undefined) {
    const stores = openSqliteStores({ path: config.store.path });
    return { stores, engine: 'sqlite', describe: async () => `sqlite ${config.store.path}` };
  }
  const memory = config.memory.enabled && options.memory !== false;
  if (memory && postgresMemoryStore === null) {
    throw new AgentdError({
      code: 'store.unsupported',
      message:
        'memory is not available on the Postgres store yet: set memory.enabled: false to use store.url, or remove store.url to keep memory on SQLite',
      path: 'memory.enabled',
    });
  }
  const { openPostgresStores, describePostgresStore } = await import('../store/postgres/index.js');
  const stores = await openPostgresStores({
    url,
    ...(memory && postgresMemoryStore ? { memory: postgresMemoryStore } : {}),
    onIdleError: (error) =>
      logger.warn('store: an idle Postgres connection failed; the pool replaces it', {
        reason: error.message,
      }),
  });
  logger.info('store: PostgreSQL', { url: stores.url });
  return { stores, engine: 'postgres', describe: () => describePostgresStore(stores.pool, stores.url) };
}
