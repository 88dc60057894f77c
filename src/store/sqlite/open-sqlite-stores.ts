import { dirname } from 'node:path';
import { createFile, makeFolder } from './make-folder.js';
import Database from 'better-sqlite3';
import type { Stores } from '../stores.js';
import { groupCommitOf } from './group-commit.js';
import { applyMigrations } from './migrations.js';
import { SqliteApiKeyStore } from './sqlite-api-key-store.js';
import { SqliteAuditStore } from './sqlite-audit-store.js';
import { SqliteJournalStore } from './sqlite-journal-store.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { SqliteProcedureStore } from './sqlite-procedure-store.js';
import { SqliteReviewStore } from './sqlite-review-store.js';
import { SqliteRouterStore } from './sqlite-router-store.js';
import { SqliteMcpPinStore } from './sqlite-mcp-pin-store.js';
import { SqliteSecretStore } from './sqlite-secret-store.js';
import { SqliteTaskStore } from './sqlite-task-store.js';
import { SqliteTraceStore } from './sqlite-trace-store.js';
import { SqliteVerdictStore } from './sqlite-verdict-store.js';

/** Options for {@link openSqliteStores} and {@link openSqliteDatabase}. */
export interface OpenSqliteOptions {
  /** The database file (its folder is created if missing), or `:memory:`. */
  path: string;
}

/** Opens (creating if needed) a SQLite database, configures the connection and migrates it. */
export function openSqliteDatabase(options: OpenSqliteOptions): Database.Database {
  if (options.path !== ':memory:') {
    // The database holds prompts, outputs and memories: readable by its owner only. Folders made
    // here are 0700 and a new file 0600 (SQLite gives its -wal and -shm files the same mode);
    // an existing file keeps the mode its owner gave it.
    const hint = 'set AGENTD_HOME (or store.path) to a writable folder';
    makeFolder(dirname(options.path), 0o700, `the database ${options.path}`, hint);
    createFile(options.path, hint);
  }
  const db = new Database(options.path);
  try {
    // WAL lets readers (dashboard, CLI) run while the runtime writes; NORMAL is durable under
    // WAL except for the last transactions on power loss, and saves an fsync per commit.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Another process (a second CLI, the server) may hold the write lock briefly; wait for it
    // instead of failing with SQLITE_BUSY at once.
    db.pragma('busy_timeout = 5000');
    // Off by default in SQLite, per connection; task events rely on it.
    db.pragma('foreign_keys = ON');
    applyMigrations(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens every store on one SQLite database; `close()` closes the database. */
export function openSqliteStores(options: OpenSqliteOptions): Stores {
  const db = openSqliteDatabase(options);
  const group = groupCommitOf(db);
  return {
    tasks: new SqliteTaskStore(db),
    journal: new SqliteJournalStore(db),
    traces: new SqliteTraceStore(db),
    ledger: new SqliteLedgerStore(db),
    reviews: new SqliteReviewStore(db),
    router: new SqliteRouterStore(db),
    memories: new SqliteMemoryStore(db),
    procedures: new SqliteProcedureStore(db),
    audit: new SqliteAuditStore(db),
    verdicts: new SqliteVerdictStore(db),
    apiKeys: new SqliteApiKeyStore(db),
    secrets: new SqliteSecretStore(db),
    mcpPins: new SqliteMcpPinStore(db),
    async close() {
      group.flush();
      db.close();
    },
  };
}
