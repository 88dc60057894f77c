import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../../core/errors.js';
import { describeAuditStoreConformance } from '../conformance/audit-store-conformance.js';
import { describeJournalStoreConformance } from '../conformance/journal-store-conformance.js';
import { describeLedgerStoreConformance } from '../conformance/ledger-store-conformance.js';
import type { OpenedStore } from '../conformance/open-store.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { describeMemoryStoreConformance } from '../conformance/memory-store-conformance.js';
import { describeProcedureStoreConformance } from '../conformance/procedure-store-conformance.js';
import { describeMcpPinStoreConformance } from '../conformance/mcp-pin-store-conformance.js';
import { describeSecretStoreConformance } from '../conformance/secret-store-conformance.js';
import { describeReviewStoreConformance } from '../conformance/review-store-conformance.js';
import { describeRouterStoreConformance } from '../conformance/router-store-conformance.js';
import { describeTaskDeletionConformance } from '../conformance/task-deletion-conformance.js';
import { describeTaskStoreConformance } from '../conformance/task-store-conformance.js';
import { describeTraceStoreConformance } from '../conformance/trace-store-conformance.js';
import { describeVerdictStoreConformance } from '../conformance/verdict-store-conformance.js';
import type { Stores } from '../stores.js';
import { applyMigrations, migrations } from './migrations.js';
import { openSqliteDatabase, openSqliteStores } from './open-sqlite-stores.js';
import { SqliteJournalStore } from './sqlite-journal-store.js';

const temporaryFolders: string[] = [];

function newTemporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'agentd-sqlite-'));
  temporaryFolders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** Opens all stores on a fresh file and hands the conformance suite the one it tests. */
function openFresh<T>(pick: (stores: Stores) => T): () => Promise<OpenedStore<T>> {
  return async () => {
    const stores = openSqliteStores({ path: join(newTemporaryFolder(), 'agentd.db') });
    return { store: pick(stores), close: () => stores.close() };
  };
}

describeTaskStoreConformance(
  'SQLite',
  openFresh((stores) => stores.tasks),
);
describeTaskDeletionConformance(
  'SQLite',
  openFresh((stores) => stores),
);
describeJournalStoreConformance(
  'SQLite',
  openFresh((stores) => stores.journal),
);
describeTraceStoreConformance(
  'SQLite',
  openFresh((stores) => stores.traces),
);
describeLedgerStoreConformance(
  'SQLite',
  openFresh((stores) => stores.ledger),
);
describeReviewStoreConformance(
  'SQLite',
  openFresh((stores) => stores.reviews),
);
describeRouterStoreConformance(
  'SQLite',
  openFresh((stores) => stores.router),
);
describeMemoryStoreConformance(
  'SQLite with sqlite-vec',
  openFresh((stores) => {
    expect(stores.memories.vectorIndex).toBe('sqlite-vec');
    return stores.memories;
  }),
);
describeProcedureStoreConformance(
  'SQLite',
  openFresh((stores) => stores.procedures),
);
describeAuditStoreConformance(
  'SQLite',
  openFresh((stores) => stores.audit),
);
describeVerdictStoreConformance(
  'SQLite',
  openFresh((stores) => stores.verdicts),
);
describeSecretStoreConformance(
  'SQLite',
  openFresh((stores) => stores.secrets),
);
describeMcpPinStoreConformance(
  'SQLite',
  openFresh((stores) => stores.mcpPins),
);
describeMemoryStoreConformance('SQLite, exact vector scan', async () => {
  const db = openSqliteDatabase({ path: join(newTemporaryFolder(), 'agentd.db') });
  return {
    store: new SqliteMemoryStore(db, { vectorIndex: 'exact-scan' }),
    close: async () => void db.close(),
  };
});

describe('openSqliteStores', () => {
  it('creates the database file inside folders that do not exist yet', async () => {
    const path = join(newTemporaryFolder(), 'nested', 'deeper', 'agentd.db');
    const stores = openSqliteStores({ path });
    await stores.close();
    expect(existsSync(path)).toBe(true);
  });

  it('makes the file (and its WAL) readable by its owner only, in owner-only folders', async () => {
    // Whatever the umask says: the database holds prompts, outputs and memories.
    const previous = process.umask(0o022);
    try {
      const home = join(newTemporaryFolder(), 'home');
      const path = join(home, 'agentd.db');
      const stores = openSqliteStores({ path });
      const mode = (file: string) => statSync(file).mode & 0o777;
      expect(mode(home)).toBe(0o700);
      expect(mode(path)).toBe(0o600);
      expect(mode(`${path}-wal`)).toBe(0o600);
      await stores.close();
    } finally {
      process.umask(previous);
    }
  });

  it('opens the database in WAL mode with the connection settings the runtime relies on', () => {
    const db = openSqliteDatabase({ path: join(newTemporaryFolder(), 'agentd.db') });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 1 = NORMAL
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });

  it('keeps the file in WAL mode for other connections', async () => {
    const path = join(newTemporaryFolder(), 'agentd.db');
    await openSqliteStores({ path }).close();
    const db = new Database(path, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('works on an in-memory database', async () => {
    const stores = openSqliteStores({ path: ':memory:' });
    await stores.journal.record({
      taskId: 'task_a',
      key: '1',
      name: 'step',
      status: 'completed',
      output: 'ok',
      error: null,
      startedAt: 1,
      finishedAt: 2,
    });
    expect((await stores.journal.get('task_a', '1'))?.output).toBe('ok');
    await stores.close();
  });

  it('keeps data across reopening and does not apply migrations again', async () => {
    const path = join(newTemporaryFolder(), 'agentd.db');
    const first = openSqliteStores({ path });
    await first.ledger.record({
      id: 'cost_1',
      taskId: 'task_a',
      agent: null,
      modelId: 'm',
      provider: 'p',
      inputTokens: 1,
      outputTokens: 2,
      costUsd: 0.5,
      source: 'measured',
      status: 'settled',
      createdAt: 1,
    });
    await first.close();
    const appliedBefore = readAppliedMigrations(path);
    expect(appliedBefore.map((row) => row.version)).toEqual(migrations.map((migration) => migration.version));

    const second = openSqliteStores({ path });
    expect((await second.ledger.totals({})).costUsd).toBe(0.5);
    await second.close();
    expect(readAppliedMigrations(path)).toEqual(appliedBefore);

    const db = new Database(path);
    try {
      expect(applyMigrations(db)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses a database stamped with a newer schema version than the code knows', async () => {
    const path = join(newTemporaryFolder(), 'agentd.db');
    await openSqliteStores({ path }).close();
    const futureVersion = (migrations.at(-1)?.version ?? 0) + 1;
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
      futureVersion,
      'from the future',
      Date.now(),
    );
    db.close();

    let thrown: unknown;
    try {
      openSqliteStores({ path });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AgentdError);
    expect((thrown as AgentdError).code).toBe('store.schema_too_new');
    expect((thrown as AgentdError).message).toContain(`schema version ${futureVersion}`);
    expect((thrown as AgentdError).message).toContain('upgrade agentd');
  });
});

describe('applyMigrations', () => {
  it('applies nothing of a failing migration list', () => {
    const db = new Database(':memory:');
    try {
      const broken = [
        { version: 1, name: 'good', sql: 'CREATE TABLE good (id TEXT)' },
        { version: 2, name: 'bad', sql: 'CREATE TABLE broken (' },
      ];
      expect(() => applyMigrations(db, broken)).toThrow();
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .pluck()
        .all();
      expect(tables).not.toContain('good');
    } finally {
      db.close();
    }
  });

  it('refuses migrations that are not in increasing version order', () => {
    const db = new Database(':memory:');
    try {
      const unordered = [
        { version: 2, name: 'second', sql: 'SELECT 1' },
        { version: 1, name: 'first', sql: 'SELECT 1' },
      ];
      expect(() => applyMigrations(db, unordered)).toThrow(/increasing order/);
    } finally {
      db.close();
    }
  });

  it('applies only the migrations newer than the recorded version', () => {
    const db = new Database(':memory:');
    try {
      const first = [{ version: 1, name: 'one', sql: 'CREATE TABLE one (id TEXT)' }];
      expect(applyMigrations(db, first)).toEqual([1]);
      const both = [...first, { version: 2, name: 'two', sql: 'CREATE TABLE two (id TEXT)' }];
      expect(applyMigrations(db, both)).toEqual([2]);
      expect(applyMigrations(db, both)).toEqual([]);
    } finally {
      db.close();
    }
  });
});

describe('migration 2 (step keys and reviews)', () => {
  it('keeps the steps of a version 1 database, readable by their seq as key', async () => {
    const path = join(newTemporaryFolder(), 'agentd.db');
    const db = new Database(path);
    try {
      expect(applyMigrations(db, migrations.slice(0, 1))).toEqual([1]);
      const insert = db.prepare(`
        INSERT INTO steps (task_id, seq, name, status, output, error, started_at, finished_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      `);
      insert.run(
        'task_a',
        2,
        'tool:search',
        'failed',
        null,
        '{"code":"tool.failed","message":"exit 2"}',
        30,
        40,
      );
      insert.run(
        'task_a',
        1,
        'model:planner',
        'completed',
        '{"text":"plan","usage":{"input":1}}',
        null,
        10,
        20,
      );

      expect(applyMigrations(db)).toEqual(migrations.slice(1).map((migration) => migration.version));
      const journal = new SqliteJournalStore(db);
      expect(await journal.get('task_a', '1')).toEqual({
        taskId: 'task_a',
        key: '1',
        name: 'model:planner',
        status: 'completed',
        output: { text: 'plan', usage: { input: 1 } },
        error: null,
        startedAt: 10,
        finishedAt: 20,
      });
      expect(await journal.get('task_a', '2')).toEqual({
        taskId: 'task_a',
        key: '2',
        name: 'tool:search',
        status: 'failed',
        output: null,
        error: { code: 'tool.failed', message: 'exit 2' },
        startedAt: 30,
        finishedAt: 40,
      });
      expect((await journal.list('task_a')).map((step) => step.key)).toEqual(['1', '2']);
      // New keys sit beside the migrated ones.
      await journal.record({
        taskId: 'task_a',
        key: '3.0/1',
        name: 'model:writer',
        status: 'completed',
        output: 'draft',
        error: null,
        startedAt: 50,
        finishedAt: 60,
      });
      expect((await journal.list('task_a')).map((step) => step.key)).toEqual(['1', '2', '3.0/1']);
    } finally {
      db.close();
    }

    const stores = openSqliteStores({ path });
    try {
      expect((await stores.journal.get('task_a', '2'))?.error).toEqual({
        code: 'tool.failed',
        message: 'exit 2',
      });
      const review = {
        id: 'review_a',
        taskId: 'task_a',
        stepKey: '4',
        kind: 'tool-approval',
        question: 'Run it?',
        payload: { tool: 'shell' },
        status: 'pending' as const,
        answer: null,
        createdAt: 70,
        answeredAt: null,
      };
      expect(await stores.reviews.open(review)).toEqual(review);
      expect(await stores.reviews.getByStep('task_a', '4')).toEqual(review);
    } finally {
      await stores.close();
    }
    expect(readAppliedMigrations(path).map((row) => row.version)).toEqual(
      migrations.map((migration) => migration.version),
    );
  });
});

function readAppliedMigrations(path: string): { version: number; name: string; applied_at: number }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version').all() as {
      version: number;
      name: string;
      applied_at: number;
    }[];
  } finally {
    db.close();
  }
}
