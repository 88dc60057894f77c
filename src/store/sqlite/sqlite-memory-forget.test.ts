// Forgetting a memory on SQLite removes it from every index, checked in SQL rather than through
// search: a search joins its hits back to the `memories` rows, so an FTS5 posting or a vector slot
// left behind would never show in its results. Each index check is also shown to fail on a database
// where one index was left stale on purpose.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ftsIndexedRowids,
  ftsIntegrityCheck,
  ftsMatchRowids,
  memoryIndexProblems,
  readVectorSlots,
} from './memory-index-checks.js';
import type { MemoryLayer } from '../memory-store.js';
import { openSqliteDatabase } from './open-sqlite-stores.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { seededRandom as seeded } from '../../core/random.js';
import { memoryRecord as memory } from '../conformance/memory-fixtures.js';

/** A word only memory `id` contains (letters only: the Porter stemmer leaves it one token). */
function uniqueWord(id: string): string {
  return `zq${id.replace(/[^a-z]/g, '')}${[...id].map((c) => 'abcdefghij'[Number(c)] ?? '').join('')}x`;
}

const temporaryFolders: string[] = [];

describe.each(['auto', 'exact-scan'] as const)(
  'SQLite memory store, forget (vector index %s)',
  (vectorIndex) => {
    let db: Database.Database;
    let store: SqliteMemoryStore;
    let random: () => number;

    beforeEach(() => {
      const folder = mkdtempSync(join(tmpdir(), 'agentd-memory-forget-'));
      temporaryFolders.push(folder);
      db = openSqliteDatabase({ path: join(folder, 'agentd.db') });
      store = new SqliteMemoryStore(db, { vectorIndex });
      random = seeded(3);
    });
    afterEach(() => {
      db.close();
      for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
    });

    const rowidOf = (id: string) =>
      (db.prepare('SELECT rowid FROM memories WHERE id = ?').get(id) as { rowid: number } | undefined)?.rowid;
    const embeddedCount = () =>
      (db.prepare('SELECT COUNT(*) AS n FROM memories WHERE embedding IS NOT NULL').get() as { n: number }).n;

    async function add(
      id: string,
      options: { layer?: MemoryLayer; tenant?: string; dimensions?: number | null } = {},
    ): Promise<number> {
      const dimensions = options.dimensions === undefined ? 8 : options.dimensions;
      await store.add(
        memory({
          id,
          layer: options.layer ?? 'semantic',
          tenant: options.tenant ?? 'acme',
          content: `the shared note ${uniqueWord(id)} about the project`,
          embedding:
            dimensions === null ? null : Float32Array.from({ length: dimensions }, () => random() * 2 - 1),
        }),
      );
      return rowidOf(id) as number;
    }

    /** Forgets `id` and checks, in SQL, that no index knows its rowid and the rest are intact. */
    async function forgetAndCheck(id: string, tenant = 'acme'): Promise<void> {
      const rowid = rowidOf(id);
      expect(rowid, `${id} exists before it is forgotten`).toBeDefined();
      expect(ftsMatchRowids(db, uniqueWord(id))).toEqual([rowid]);

      expect(await store.forget(id, tenant)).toBe(true);

      expect(rowidOf(id)).toBeUndefined();
      expect(db.prepare('SELECT COUNT(*) AS n FROM memories WHERE rowid = ?').get(rowid)).toEqual({ n: 0 });
      // FTS5: no posting of its unique word, none of its rowid at all, and the index agrees with
      // the content table.
      expect(ftsMatchRowids(db, uniqueWord(id))).toEqual([]);
      expect(ftsIndexedRowids(db)).not.toContain(rowid);
      expect(() => ftsIntegrityCheck(db)).not.toThrow();
      // Vector codes: no slot carries its rowid, one slot per embedded memory, every code current.
      const slots = readVectorSlots(db);
      expect(slots.map((slot) => slot.rowid)).not.toContain(rowid);
      expect(slots).toHaveLength(embeddedCount());
      expect(memoryIndexProblems(db)).toEqual([]);
    }

    it('removes a memory from the table, the FTS5 index and the vector codes, whichever chunk holds it', async () => {
      // 70 memories in one scope (two chunks: 64 + 6), and smaller scopes beside it.
      for (let i = 0; i < 70; i++) await add(`m${i}`);
      await add('epi1', { layer: 'episodic' });
      await add('epi2', { layer: 'episodic' });
      await add('g1', { tenant: 'globex' });
      await add('small1', { dimensions: 4 });
      await add('small2', { dimensions: 4 });
      await add('text1', { dimensions: null });
      await add('text2', { dimensions: null });
      expect(memoryIndexProblems(db)).toEqual([]);
      expect(readVectorSlots(db)).toHaveLength(75);
      // The shared word is in every memory: the unique ones are what tell them apart.
      expect(ftsMatchRowids(db, 'shared')).toHaveLength(77);

      // In the first, full chunk: the last slot of the last chunk moves into the gap.
      await forgetAndCheck('m3');
      // The last slot of the scope.
      const lastSlot = readVectorSlots(db)
        .filter((slot) => slot.layer === 'semantic' && slot.tenant === 'acme' && slot.dimensions === 8)
        .at(-1);
      const lastId = db
        .prepare('SELECT id FROM memories WHERE rowid = ?')
        .pluck()
        .get(lastSlot?.rowid) as string;
      await forgetAndCheck(lastId);
      // Memories of other scopes, one the only one in its scope (its chunk goes with it).
      await forgetAndCheck('epi2');
      await forgetAndCheck('g1', 'globex');
      await forgetAndCheck('small1');
      // One without an embedding.
      await forgetAndCheck('text1');
      // Empty the second chunk of the big scope (its chunk row goes), and forget m69, which the first
      // forget moved into the first chunk.
      for (let i = 64; i < 70; i++) if (rowidOf(`m${i}`) !== undefined) await forgetAndCheck(`m${i}`);
      expect(db.prepare('SELECT COUNT(*) AS n FROM memory_vector_chunks').get()).toEqual({ n: 3 });

      // Everything that was not forgotten is still indexed, by its own word and by a slot.
      const left = db.prepare('SELECT id, rowid FROM memories ORDER BY rowid').all() as {
        id: string;
        rowid: number;
      }[];
      expect(left).toHaveLength(77 - 11);
      for (const { id, rowid } of left) expect(ftsMatchRowids(db, uniqueWord(id))).toEqual([rowid]);
      expect(ftsMatchRowids(db, 'shared')).toEqual(left.map((row) => row.rowid));
      expect(readVectorSlots(db)).toHaveLength(embeddedCount());
    });

    it('removes every memory a batch forgets (apply) from both indexes', async () => {
      for (let i = 0; i < 10; i++) await add(`m${i}`);
      const forgotten = ['m0', 'm4', 'm9'].map((id) => ({ id, rowid: rowidOf(id) as number }));
      await store.apply('acme', { forget: forgotten.map((f) => f.id) });
      for (const { id, rowid } of forgotten) {
        expect(rowidOf(id)).toBeUndefined();
        expect(ftsMatchRowids(db, uniqueWord(id))).toEqual([]);
        expect(readVectorSlots(db).map((slot) => slot.rowid)).not.toContain(rowid);
      }
      expect(() => ftsIntegrityCheck(db)).not.toThrow();
      expect(readVectorSlots(db)).toHaveLength(7);
      expect(memoryIndexProblems(db)).toEqual([]);
    });

    it('leaves the indexes alone when the memory is not in the tenant', async () => {
      await add('m1');
      const rowid = rowidOf('m1') as number;
      expect(await store.forget('m1', 'globex')).toBe(false);
      expect(ftsMatchRowids(db, uniqueWord('m1'))).toEqual([rowid]);
      expect(readVectorSlots(db).map((slot) => slot.rowid)).toEqual([rowid]);
      expect(memoryIndexProblems(db)).toEqual([]);
    });

    // The checks above can fail: each of them sees an index that a delete left stale.
    describe('the checks catch a stale index', () => {
      it('a row deleted in raw SQL keeps its vector slot, which the checks report', async () => {
        await add('m1');
        await add('m2');
        const rowid = rowidOf('m1') as number;
        // Bypasses the store's unindexing; the FTS5 trigger still runs.
        db.prepare('DELETE FROM memories WHERE rowid = ?').run(rowid);
        expect(readVectorSlots(db).map((slot) => slot.rowid)).toContain(rowid);
        expect(readVectorSlots(db)).not.toHaveLength(embeddedCount());
        expect(memoryIndexProblems(db)).toEqual([
          `vector slot for rowid ${rowid}, which has no memories row`,
        ]);
        // The FTS5 side was handled by the trigger.
        expect(ftsMatchRowids(db, uniqueWord('m1'))).toEqual([]);
        expect(() => ftsIntegrityCheck(db)).not.toThrow();
      });

      it('a forget without the FTS5 delete trigger leaves postings, which the checks report', async () => {
        await add('m1');
        await add('m2');
        const rowid = rowidOf('m1') as number;
        db.exec('DROP TRIGGER memories_fts_delete');
        expect(await store.forget('m1', 'acme')).toBe(true);
        expect(ftsMatchRowids(db, uniqueWord('m1'))).toEqual([rowid]);
        expect(ftsIndexedRowids(db)).toContain(rowid);
        expect(() => ftsIntegrityCheck(db)).toThrow(/malformed/);
        expect(memoryIndexProblems(db)).toEqual([
          `FTS5 postings for rowid ${rowid}, which has no memories row`,
        ]);
        // The vector side was handled by the store.
        expect(readVectorSlots(db).map((slot) => slot.rowid)).not.toContain(rowid);
      });

      it('a slot whose code is stale is reported', async () => {
        await add('m1');
        const rowid = rowidOf('m1') as number;
        db.prepare('UPDATE memories SET embedding = ? WHERE rowid = ?').run(
          Buffer.from(new Float32Array(8).fill(-1).buffer),
          rowid,
        );
        expect(memoryIndexProblems(db)).toEqual([
          `vector slot for rowid ${rowid} holds a code that is not its embedding's`,
        ]);
      });
    });
  },
);
