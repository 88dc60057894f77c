// Forget through the runtime (HTTP DELETE /v1/memory/:id, and runtime.memory.forget) on a real
// SQLite file with the offline embedding model, checked in SQL: search joins its hits back to the
// `memories` rows, so a leftover FTS5 posting or vector slot would not show in any search result.
// (src/store/sqlite/sqlite-memory-forget.test.ts shows these checks fail on a stale index.)
import Database from 'better-sqlite3';
import type { Hono } from 'hono';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../server/create-app.js';
import {
  ftsIndexedRowids,
  ftsIntegrityCheck,
  ftsMatchRowids,
  memoryIndexProblems,
  readVectorSlots,
} from '../store/sqlite/memory-index-checks.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

describe('forget through the runtime empties every index of the memory', () => {
  let t: TestRuntime;
  // A read-only connection for the index contents, and a writable one for FTS5's integrity check
  // (an INSERT command, though it changes nothing), both on the runtime's database file.
  let db: Database.Database;
  let writable: Database.Database;
  beforeEach(async () => {
    t = await createTestRuntime({
      script: [{ text: 'The quokka census is counted by Priya every spring.' }],
      config: { memory: { embeddings: 'use-lite' } },
    });
    const path = join(t.home, 'agentd.db');
    db = new Database(path, { readonly: true });
    writable = new Database(path);
  });
  afterEach(async () => {
    db.close();
    writable.close();
    await t.dispose();
  });

  const rowidOf = (id: string) =>
    db.prepare('SELECT rowid FROM memories WHERE id = ?').pluck().get(id) as number | undefined;
  const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;

  /** Neither index holds `rowid`, and every other memory is indexed exactly once, with a current code. */
  function expectUnindexed(rowid: number): void {
    expect(ftsIndexedRowids(db)).not.toContain(rowid);
    expect(readVectorSlots(db).map((slot) => slot.rowid)).not.toContain(rowid);
    expect(readVectorSlots(db)).toHaveLength(
      count('SELECT COUNT(*) AS n FROM memories WHERE embedding IS NOT NULL'),
    );
    expect(memoryIndexProblems(db)).toEqual([]);
    expect(() => ftsIntegrityCheck(writable)).not.toThrow();
  }

  it('DELETE /v1/memory/:id leaves no FTS5 posting and no vector slot of the row', async () => {
    const app: Hono = createApp({ runtime: t.runtime });
    const add = async (content: string) => {
      const res = await app.request('/v1/memory', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { memory: { id: string } }).memory.id;
    };
    const id = await add('The quokka census is counted by Priya every spring.');
    const kept = await add('Invoices are approved by Dana in finance.');
    const rowid = rowidOf(id) as number;
    const keptRowid = rowidOf(kept) as number;
    // Before: both indexes hold the row (so the checks after the forget are not vacuous).
    expect(ftsMatchRowids(db, 'quokka')).toEqual([rowid]);
    expect(readVectorSlots(db).map((slot) => [slot.rowid, slot.dimensions])).toEqual([
      [rowid, 512],
      [keptRowid, 512],
    ]);

    const res = await app.request(`/v1/memory/${id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, forgotten: true });

    expect(rowidOf(id)).toBeUndefined();
    expect(ftsMatchRowids(db, 'quokka')).toEqual([]);
    expect(ftsIndexedRowids(db)).toEqual([keptRowid]);
    expect(readVectorSlots(db).map((slot) => slot.rowid)).toEqual([keptRowid]);
    expectUnindexed(rowid);
    // The memory that was not forgotten is still found.
    const found = await app.request('/v1/memory?q=who%20approves%20invoices');
    const results = ((await found.json()) as { results: { memory: { id: string } }[] }).results;
    expect(results.map((r) => r.memory.id)).toEqual([kept]);
  }, 60_000);

  it('runtime.memory.forget of every memory a task wrote leaves every index and the procedures empty', async () => {
    const task = await t.runtime.tasks.run({ prompt: 'Who counts the quokka census?' });
    expect(task.status).toBe('succeeded');
    // The vectors of what the task wrote are made in the background.
    await t.runtime.memory.settled();
    const written = db.prepare('SELECT id, rowid, layer FROM memories ORDER BY rowid').all() as {
      id: string;
      rowid: number;
      layer: string;
    }[];
    // At least the episode and the procedure outcome in words, each with a vector.
    expect(written.map((m) => m.layer)).toEqual(expect.arrayContaining(['episodic', 'procedural']));
    expect(readVectorSlots(db)).toHaveLength(written.length);
    expect(count('SELECT COUNT(*) AS n FROM procedures')).toBe(1);
    expect(memoryIndexProblems(db)).toEqual([]);

    for (const memory of written) {
      await t.runtime.memory.forget(memory.id);
      expect(rowidOf(memory.id)).toBeUndefined();
      expectUnindexed(memory.rowid);
    }
    expect(count('SELECT COUNT(*) AS n FROM memories')).toBe(0);
    expect(ftsIndexedRowids(db)).toEqual([]);
    expect(ftsMatchRowids(db, 'quokka')).toEqual([]);
    expect(count('SELECT COUNT(*) AS n FROM memory_vector_chunks')).toBe(0);
    // Forgetting the procedure's memory dropped its aggregate too.
    expect(count('SELECT COUNT(*) AS n FROM procedures')).toBe(0);
  }, 60_000);
});
