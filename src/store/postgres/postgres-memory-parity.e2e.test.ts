import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import type { Random } from '../../core/random.js';
import { memoryRecord, randomVector } from '../conformance/memory-fixtures.js';
import type { MemoryFilter, MemoryHit, MemoryLayer, MemoryRecord, MemoryStore } from '../memory-store.js';
import { openSqliteDatabase } from '../sqlite/open-sqlite-stores.js';
import { SqliteMemoryStore } from '../sqlite/sqlite-memory-store.js';
import { memoryMigrations } from './memory-migrations.js';
import { PostgresMemoryStore } from './postgres-memory-store.js';
import { applyTestMigrations, createTestSchema } from './testing-pg-schema.js';
import type { TestSchema } from './testing-pg-schema.js';

// The same memories, changes and queries against the SQLite store and the Postgres store: both must
// return the same hits with the same BM25 scores (the text search is an exact port of FTS5's), and the
// same nearest neighbours.

// Words in most memories (the/of, dropped from the first match), words in a few, and inflections the
// stemmer folds together. No word sits near half of the memories: SQLite bounds that count by its
// highest rowid, which a forget leaves higher than the count Postgres keeps.
const COMMON = ['the', 'of'];
const WORDS = `pottery potteries Melanie Caroline Berlin moved moving move deploys deployed deadline project
launch running runs runner meeting meetings zeppelin harbor lighthouse quarry report reports café naïve
résumé école 🧘 😀 東京 données garden gardening painted painting sunrise camping hiking adoption
adopted children child friends friendship support group LGBTQ counseling career mentor volunteer
shelter dog dogs cat piano guitar violin concert`.split(/\s+/);
const LAYERS: MemoryLayer[] = ['working', 'episodic', 'semantic', 'procedural'];

function sentence(random: Random): string {
  const words: string[] = [];
  if (random() < 0.9) words.push('The');
  for (let i = 0, n = 2 + Math.floor(random() * 8); i < n; i++) {
    words.push(WORDS[Math.floor(random() * WORDS.length)] as string);
    if (random() < 0.3) words.push(COMMON[1] as string);
  }
  return `${words.join(random() < 0.2 ? ', ' : ' ')}${random() < 0.5 ? '.' : '!'}`;
}

function memories(random: Random, count: number): MemoryRecord[] {
  return Array.from({ length: count }, (_, i) =>
    memoryRecord({
      id: `m${String(i).padStart(4, '0')}`,
      tenant: ['acme', 'beta', 'gamma'][i % 3] as string,
      layer: LAYERS[Math.floor(random() * LAYERS.length)] as MemoryLayer,
      team: random() < 0.3 ? 'red' : null,
      content: sentence(random),
      embedding: random() < 0.8 ? randomVector(random, 16) : null,
      createdAt: 1_000 + i,
    }),
  );
}

/**
 * Hits compared as ranked lists: the same scores in the same order (to 1e-9 of the best), and the same
 * ids except within a group of equal scores at the end, where the limit may cut either store's ties
 * differently.
 */
function expectSameHits(sqlite: MemoryHit[], postgres: MemoryHit[], context: string): void {
  expect(postgres.length, context).toBe(sqlite.length);
  const scale = Math.max(1e-12, ...sqlite.map((hit) => Math.abs(hit.score)));
  sqlite.forEach((hit, i) => {
    expect(Math.abs((postgres[i] as MemoryHit).score - hit.score) / scale, context).toBeLessThan(1e-9);
  });
  const last = sqlite.at(-1)?.score;
  const inner = (hits: MemoryHit[]) =>
    hits
      .filter((hit) => last === undefined || Math.abs(hit.score - last) / scale > 1e-9)
      .map((hit) => hit.id)
      .sort();
  expect(inner(postgres), context).toEqual(inner(sqlite));
}

describe('Postgres memory store against the SQLite store', () => {
  let schema: TestSchema;
  let folder: string;
  let db: Database.Database;
  let sqlite: MemoryStore;
  let postgres: MemoryStore;
  const random = seededRandom(2024);
  const written = memories(random, 900);

  beforeAll(async () => {
    schema = await createTestSchema();
    await applyTestMigrations(schema.pool, memoryMigrations);
    postgres = new PostgresMemoryStore(schema.pool);
    folder = mkdtempSync(join(tmpdir(), 'agentd-parity-'));
    db = openSqliteDatabase({ path: join(folder, 'agentd.db') });
    sqlite = new SqliteMemoryStore(db);
    for (const store of [sqlite, postgres]) {
      for (let i = 0; i < written.length; i += 100) await store.addMany(written.slice(i, i + 100));
      // Changes that move the text statistics both ways: new content, forgets, a rolled-back batch.
      for (let i = 0; i < 60; i += 3) {
        const m = written[i] as MemoryRecord;
        await store.update(m.id, m.tenant, { content: `${m.content} gardening report`, layer: 'semantic' });
      }
      for (let i = 1; i < 30; i += 7)
        await store.forget((written[i] as MemoryRecord).id, (written[i] as MemoryRecord).tenant);
      await expect(
        store.addMany([
          memoryRecord({ id: 'late', content: 'zeppelin harbor' }),
          memoryRecord({ id: 'm0000' }),
        ]),
      ).rejects.toThrow();
      await store.update('m0003', 'acme', { validTo: 5_000, supersededBy: 'm0006' });
    }
  }, 120_000);

  afterAll(async () => {
    db.close();
    rmSync(folder, { recursive: true, force: true });
    await schema.drop();
  });

  const filters: MemoryFilter[] = [
    { tenant: 'acme' },
    { tenant: 'beta', layers: ['episodic', 'semantic'] },
    { tenant: 'gamma', team: 'red' },
    { tenant: 'acme', includeSuperseded: true, createdAfter: 1_300 },
  ];

  it('ranks text matches with the same BM25 scores', async () => {
    const queries = [
      'pottery',
      'Where did Caroline move?',
      'the of',
      'the zeppelin meeting',
      'running runner runs',
      'café NAÏVE ecole',
      '🧘 東京',
      'what about the unicorn',
      'deadline" OR "launch',
      ...Array.from({ length: 40 }, () => sentence(random)),
    ];
    for (const text of queries) {
      for (const filter of filters) {
        for (const limit of [3, 10]) {
          const query = { text, filter, limit };
          expectSameHits(
            await sqlite.searchText(query),
            await postgres.searchText(query),
            JSON.stringify(query),
          );
        }
      }
    }
  });

  it('finds the same nearest neighbours', async () => {
    for (let q = 0; q < 20; q++) {
      const vector = randomVector(random, 16);
      for (const filter of filters) {
        const query = { vector, filter, limit: 10 };
        const [a, b] = [await sqlite.searchVector(query), await postgres.searchVector(query)];
        expect(b.map((hit) => hit.id)).toEqual(a.map((hit) => hit.id));
        b.forEach((hit, i) => expect(hit.score).toBeCloseTo((a[i] as MemoryHit).score, 5));
      }
    }
  });

  it('keeps the same records, counts and statistics', async () => {
    for (const filter of filters) {
      expect(await postgres.count(filter)).toBe(await sqlite.count(filter));
      expect(await postgres.list({ filter, limit: 1_000 })).toEqual(
        await sqlite.list({ filter, limit: 1_000 }),
      );
    }
    for (const tenant of ['acme', 'beta', 'gamma'])
      expect(await postgres.stats(tenant)).toEqual(await sqlite.stats(tenant));
    expect(await postgres.tenants()).toEqual(await sqlite.tenants());
  });
});
