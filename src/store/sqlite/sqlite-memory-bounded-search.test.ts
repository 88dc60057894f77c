// The text search scores as FTS5's bm25() does, from kept statistics and a bounded candidate set
// (ADR 0089). Here it is compared with bm25() over every match (`searchExact`) on the same store: the
// same hits and scores while every match fits the candidate budget, the same best hits in a store
// where common words match far more memories than it reads. (The store itself uses bm25() up to
// 4,000 memories, where it is cheaper; these tests use the bounded search at any size.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import type { MemoryHit } from '../memory-store.js';
import { memoryRecord as memory } from '../conformance/memory-fixtures.js';
import { readFts5Totals, readVarints, unicode61Tokens } from './fts5-bm25.js';
import { openSqliteDatabase } from './open-sqlite-stores.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { MemoryTextSearch } from './sqlite-memory-text-search.js';

// Words with stems that differ from them, diacritics, and plain ones, drawn Zipf-like.
const WORDS = (
  'deploy deployed deploying deployment servers server running runs ran café naïve résumé happy ' +
  'happiness relational generalization connection connected connects database databases query ' +
  'queries tokens token tokenizer alpha beta gamma delta epsilon zeta theta kappa lambda sigma ' +
  'omega release released releasing notes note noted'
).split(' ');

function sentence(random: () => number, length: number): string {
  return Array.from({ length }, () => WORDS[Math.floor(WORDS.length * random() ** 2)] as string).join(' ');
}

/** Scores to 12 digits (JavaScript and C sum in different orders), then a stable order. */
function canonical(hits: readonly MemoryHit[]): MemoryHit[] {
  return hits
    .map((hit) => ({ id: hit.id, score: Number(hit.score.toPrecision(12)) }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/**
 * The same hits: the same scores, and the same memories except among those tied with the last one
 * (which of several equal scores make the cut is up to each search's order).
 */
function expectSameHits(actual: readonly MemoryHit[], expected: readonly MemoryHit[], what: string): void {
  const a = canonical(actual);
  const e = canonical(expected);
  expect(
    a.map((hit) => hit.score),
    what,
  ).toEqual(e.map((hit) => hit.score));
  const last = e.at(-1)?.score ?? 0;
  const above = (hits: MemoryHit[]) => hits.filter((hit) => hit.score > last).map((hit) => hit.id);
  expect(above(a), what).toEqual(above(e));
}

describe('SQLite memory text search: bounded, scored as bm25()', () => {
  let folder: string;
  let db: Database.Database;
  let store: SqliteMemoryStore;
  let text: MemoryTextSearch;
  /** The bounded search whatever the store's size (the store uses bm25() up to 4,000 memories). */
  let bounded: MemoryTextSearch;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'agentd-bounded-search-'));
    db = openSqliteDatabase({ path: join(folder, 'agentd.db') });
    store = new SqliteMemoryStore(db);
    text = new MemoryTextSearch(db);
    bounded = new MemoryTextSearch(db, { exactUpTo: 0 });
  });

  afterEach(() => {
    db.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('reads FTS5 totals and document sizes as bm25() does', async () => {
    await store.add(memory({ id: 'a', content: 'Happy hoping, café' }));
    await store.add(memory({ id: 'b', content: 'one two three four five' }));
    const totals = readFts5Totals(db, 'memories_fts');
    expect(totals.rows).toBe(2);
    // 3 + 5 content tokens and two scope tokens each.
    expect(totals.averageLength).toBe((3 + 5 + 4) / 2);
    expect(readVarints(Uint8Array.from([0x81, 0x00, 0x05]))).toEqual([128, 5]);
    expect(unicode61Tokens('Café, naïve: RÉSUMÉ 42')).toEqual(['cafe', 'naive', 'resume', '42']);
  });

  it('gives the same hits and scores as bm25() over every match in a small store', async () => {
    const random = seededRandom(7);
    const records = Array.from({ length: 300 }, (_, i) =>
      memory({
        id: `m${String(i).padStart(3, '0')}`,
        tenant: i % 3 === 0 ? 'other' : 'acme',
        layer: i % 2 === 0 ? 'semantic' : 'episodic',
        content: sentence(random, 3 + Math.floor(random() * 12)),
      }),
    );
    await store.addMany(records);
    const queries = [
      'deploying the servers',
      'café naïve résumé',
      'happiness connected databases',
      'release notes theta',
      'tokens',
      'omega kappa deployment query',
    ];
    const filters = [
      { tenant: 'acme' },
      { tenant: 'acme', layers: ['semantic' as const] },
      { tenant: 'other', layers: ['episodic' as const, 'semantic' as const] },
    ];
    for (const query of queries) {
      for (const filter of filters) {
        const hits = bounded.search({ text: query, filter, limit: 20 });
        const exact = text.searchExact({ text: query, filter, limit: 20 });
        expect(hits.length, query).toBeGreaterThan(0);
        expectSameHits(hits, exact, `'${query}' in ${JSON.stringify(filter)}`);
      }
    }
  });

  it('finds the best hits of a rare word among thousands of matches of common ones', async () => {
    // Every memory says "task summary report"; a few also name a rare subject.
    const records = Array.from({ length: 4_000 }, (_, i) =>
      memory({
        id: `m${String(i).padStart(4, '0')}`,
        content:
          `task summary report ${i % 3 === 0 ? 'quarterly' : 'weekly'} ${i % 997 === 0 ? 'zanzibar' : ''}`.trim(),
      }),
    );
    await store.addMany(records);
    const filter = { tenant: 'acme' };
    const hits = bounded.search({ text: 'zanzibar quarterly task', filter, limit: 5 });
    const exact = text.searchExact({ text: 'zanzibar quarterly task', filter, limit: 5 });
    expectSameHits(hits, exact, 'zanzibar');
    expect(hits.map((hit) => hit.id).slice(0, 2)).toEqual(['m2991', 'm0000']);
  });
});
