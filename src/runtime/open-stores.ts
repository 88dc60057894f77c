import type { AgentdConfig } from '../config/index.js';
import type { Logger } from '../core/logger.js';
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
  const { openPostgresStores, openPostgresMemoryStore, describePostgresStore } =
    await import('../store/postgres/index.js');
  const stores = await openPostgresStores({
    url,
    ...(memory ? { memory: (pool: pg.Pool) => openPostgresMemoryStore({ pool, logger }) } : {}),
    onIdleError: (error) =>
      logger.warn('store: an idle Postgres connection failed; the pool replaces it', {
        reason: error.message,
      }),
  });
  logger.info('store: PostgreSQL', { url: stores.url });
  return { stores, engine: 'postgres', describe: () => describePostgresStore(stores.pool, stores.url) };
}
