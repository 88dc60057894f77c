// Which words a text search leaves out of its first match (those in at least half of all memories)
// is decided from word counts each connection keeps and bounds by the changes made since (ADR 0036).
// Here the share of one word crosses the half through writes on the searching connection, through
// another connection (another process), and inside a transaction that is rolled back; every decision
// must be the one a fresh count gives. (The search results barely show it: a dropped word still fills
// up the hits, and FTS5 scores a word in half the memories at ~0 either way.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryRecord as memory } from '../conformance/memory-fixtures.js';
import { openSqliteDatabase } from './open-sqlite-stores.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { MemoryTextSearch } from './sqlite-memory-text-search.js';

describe('SQLite memory text search: words in half the memories, as memories change', () => {
  let folder: string;
  let dbA: Database.Database;
  let dbB: Database.Database;
  let a: SqliteMemoryStore;
  let b: SqliteMemoryStore;
  /** The searching side of connection A (it shares the connection's counts with store `a`). */
  let text: MemoryTextSearch;
  let next = 0;

  /** Adds memories through `store`: `apples` of them say "apple", `pears` do not. */
  async function add(store: SqliteMemoryStore, apples: number, pears: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < apples + pears; i++) {
      const id = `m${next++}`;
      await store.add(memory({ id, content: i < apples ? `apple note ${id}` : `pear note ${id}` }));
      ids.push(id);
    }
    return ids;
  }

  /** Whether a search for "apple zebra" leaves "apple" out of its first match. */
  const appleDropped = () => text.terms('apple zebra')?.dropped.includes('apple');

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'agentd-memory-words-'));
    const path = join(folder, 'agentd.db');
    dbA = openSqliteDatabase({ path });
    dbB = openSqliteDatabase({ path });
    a = new SqliteMemoryStore(dbA);
    b = new SqliteMemoryStore(dbB);
    text = new MemoryTextSearch(dbA);
    next = 0;
    await a.add(memory({ id: 'zebra', content: 'zebra crossing' }));
  });

  afterEach(() => {
    dbA.close();
    dbB.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('drops a word in half the memories, and keeps it once new memories make it rarer', async () => {
    await add(a, 6, 0);
    expect(appleDropped()).toBe(true); // 6 of 7
    await add(a, 0, 12);
    expect(appleDropped()).toBe(false); // 6 of 19
    expect(text.terms('apple zebra')).toEqual({ kept: ['apple', 'zebra'], dropped: [] });
  });

  it('counts a content change as a change, in either direction', async () => {
    const [apple1, apple2, apple3] = await add(a, 6, 0);
    const [pear1, pear2] = await add(a, 0, 6);
    expect(appleDropped()).toBe(false); // 6 of 13
    await a.update(pear1 as string, 'acme', { content: 'apple again' });
    await a.update(pear2 as string, 'acme', { content: 'apple once more' });
    expect(appleDropped()).toBe(true); // 8 of 13
    for (const id of [apple1, apple2, apple3]) await a.update(id as string, 'acme', { content: 'plum' });
    expect(appleDropped()).toBe(false); // 5 of 13
  });

  it('counts a forget as a change', async () => {
    const apples = await add(a, 7, 0);
    await add(a, 0, 6);
    expect(appleDropped()).toBe(true); // 7 of 14
    await a.forget(apples[0] as string, 'acme');
    expect(appleDropped()).toBe(false); // 6 of 13 (the highest rowid is still 14)
  });

  it('decides again after another connection has written', async () => {
    await add(a, 6, 12);
    expect(appleDropped()).toBe(false); // 6 of 19
    await add(b, 14, 0);
    expect(appleDropped()).toBe(true); // 20 of 33, written through the other connection
  });

  it('does not keep a count taken inside a transaction that is then rolled back', async () => {
    await add(a, 6, 12);
    expect(appleDropped()).toBe(false);
    dbA.exec('BEGIN IMMEDIATE');
    await add(a, 14, 0);
    // Inside the transaction the connection sees its own writes: 20 of 33.
    expect(appleDropped()).toBe(true);
    dbA.exec('ROLLBACK');
    expect(appleDropped()).toBe(false); // 6 of 19 again
    // And the same after one more write on the connection, which moves a count by one at most.
    await add(a, 0, 1);
    expect(appleDropped()).toBe(false);
  });
});
