import type Database from 'better-sqlite3';

/**
 * Group commit (ADR 0033): the writes asked for during one turn of the event loop are run together
 * at the end of the turn, in the order they were asked for, in one transaction; each writer's
 * promise settles after the commit. A task step writes several rows (events, the journal record,
 * the ledger row, spans) and many tasks run at once; committing each row on its own wrote the same
 * B-tree pages to the WAL again and again.
 *
 * The contract of a store write is unchanged: when its promise resolves, the row is committed (a
 * journaled step is not run again after a crash; another connection sees the row); a write that
 * fails rejects with its own error and the others still commit; a failed commit rejects them all.
 * The write lock is held only while the group runs, within one turn, so another connection (in this
 * process or another) never waits on a transaction left open across turns.
 */
export interface GroupCommit {
  /** Runs `write` with the group of this turn; resolves with its result once the group is committed. */
  write<T>(write: () => T): Promise<T>;
  /** Runs and commits the pending group now (before the database closes). */
  flush(): void;
}

const groups = new WeakMap<Database.Database, GroupCommit>();

// Captured at load: a test that fakes timers must not stop commits.
const nextTurn = globalThis.setImmediate;

/** The group commit of a connection (one per connection, made on first use). */
export function groupCommitOf(db: Database.Database): GroupCommit {
  let group = groups.get(db);
  if (!group) {
    group = createGroupCommit(db);
    groups.set(db, group);
  }
  return group;
}

interface PendingWrite {
  run: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

function createGroupCommit(db: Database.Database): GroupCommit {
  // IMMEDIATE takes the write lock before the first write, so a busy database fails the group at
  // its start rather than halfway.
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  let pending: PendingWrite[] = [];

  function flush(): void {
    const writes = pending;
    if (writes.length === 0) return;
    pending = [];
    if (!db.open) {
      for (const w of writes) w.reject(new Error('the database was closed before the write ran'));
      return;
    }
    // Called from inside someone's transaction (a close during a db.transaction()): join it.
    const own = !db.inTransaction;
    try {
      if (own) begin.run();
    } catch (error) {
      for (const w of writes) w.reject(error);
      return;
    }
    const outcomes = writes.map((w): { ok: true; value: unknown } | { ok: false; error: unknown } => {
      try {
        return { ok: true, value: w.run() };
      } catch (error) {
        // SQLite undid this statement only (a constraint, say); the rest of the group goes on.
        return { ok: false, error };
      }
    });
    if (own) {
      try {
        if (!db.inTransaction) throw new Error('SQLite rolled back the transaction of this group of writes');
        commit.run();
      } catch (error) {
        if (db.inTransaction) rollback.run();
        for (const w of writes) w.reject(error);
        return;
      }
    }
    writes.forEach((w, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }

  return {
    write<T>(run: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        if (pending.length === 0) nextTurn(flush);
        pending.push({ run, resolve: resolve as (value: unknown) => void, reject });
      });
    },
    flush,
  };
}
