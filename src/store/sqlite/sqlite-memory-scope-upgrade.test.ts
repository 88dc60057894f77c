// Upgrade from schema version 8 (migration 9): the full-text index's scope tokens change from one per
// tenant and one per layer to one per tenant and one per tenant and layer (ADR 0036). A database
// written at version 8 is opened by the current store; every text search must then return the same
// memories with the same BM25 scores as the version 8 index did, and as a database created at the
// latest version does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../../core/random.js';
import { memoryRecord as memory } from '../conformance/memory-fixtures.js';
import type { MemoryFilter, MemoryHit, MemoryLayer, MemoryRecord } from '../memory-store.js';
import { applyMigrations, migrations } from './migrations.js';
import { openSqliteStores } from './open-sqlite-stores.js';

const LAYERS: MemoryLayer[] = ['working', 'episodic', 'semantic', 'procedural'];
const TENANTS = ['acme', 'globex', 'Zürich ops'];
const WORDS = Array.from({ length: 60 }, (_, i) => `word${i}`);

/** 400 memories of 3–6 words from 60: every word in far fewer than half, so none is dropped. */
function records(): MemoryRecord[] {
  const random = seeded(9);
  return Array.from({ length: 400 }, (_, i) =>
    memory({
      id: `m${String(i).padStart(3, '0')}`,
      tenant: TENANTS[i % TENANTS.length] as string,
      layer: LAYERS[Math.floor(random() * LAYERS.length)] as MemoryLayer,
      content: Array.from(
        { length: 3 + Math.floor(random() * 4) },
        () => WORDS[Math.floor(random() * 60)],
      ).join(' '),
      validTo: i % 17 === 0 ? 5_000 : null,
    }),
  );
}

const FILTERS: MemoryFilter[] = [
  { tenant: 'acme' },
  { tenant: 'acme', layers: ['semantic'] },
  { tenant: 'acme', layers: ['episodic', 'semantic'] },
  { tenant: 'Zürich ops', layers: ['working', 'procedural'] },
  { tenant: 'globex', layers: ['episodic'], includeSuperseded: true },
  { tenant: 'nobody', layers: ['semantic'] },
];
const TEXTS = ['word1', 'word2 word30', 'word7 word8 word9 word59'];

const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex');

/** A text search as the version 8 store ran it: its scope tokens, every match, best first. */
function searchAtVersion8(db: Database.Database, text: string, filter: MemoryFilter): MemoryHit[] {
  const layers = filter.layers?.length
    ? ` AND (${filter.layers.map((layer) => `"l${hex(layer)}"`).join(' OR ')})`
    : '';
  const match = `(content : (${text
    .split(' ')
    .map((word) => `"${word}"`)
    .join(' OR ')})) AND (search_scope : ("t${hex(filter.tenant)}"${layers}))`;
  return db
    .prepare(
      `SELECT m.id AS id, -bm25(memories_fts, 1, 0) AS score
       FROM memories_fts CROSS JOIN memories m ON m.rowid = memories_fts.rowid
       WHERE memories_fts MATCH ? AND (? OR m.valid_to IS NULL)
       ORDER BY bm25(memories_fts, 1, 0), m.id`,
    )
    .all(match, filter.includeSuperseded ? 1 : 0) as MemoryHit[];
}

/**
 * Hits in a canonical order (score, then id): ties may come in either order from either index.
 * Scores to 12 digits: the search computes bm25() in JavaScript, FTS5 in C, in another order.
 */
function canonical(hits: readonly MemoryHit[]): MemoryHit[] {
  return hits
    .map((hit) => ({ ...hit, score: Number(hit.score.toPrecision(12)) }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

const folders: string[] = [];
function newPath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'agentd-scope-upgrade-'));
  folders.push(folder);
  return join(folder, 'agentd.db');
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe('SQLite memory store: upgrade from schema version 8 (migration 9)', () => {
  it('answers every text search with the memories and BM25 scores of the version 8 index', async () => {
    const written = records();
    const path = newPath();
    const expected = new Map<string, MemoryHit[]>();
    const v8 = new Database(path);
    try {
      expect(
        applyMigrations(
          v8,
          migrations.filter((migration) => migration.version <= 8),
        ),
      ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const insert = v8.prepare(`
        INSERT INTO memories (id, layer, tenant, team, agent, task_id, content, embedding, embedding_model,
          importance, created_at, last_accessed_at, access_count, valid_from, valid_to, superseded_by,
          provenance, tags)
        VALUES (@id, @layer, @tenant, @team, @agent, @taskId, @content, NULL, NULL, @importance, @createdAt,
          @lastAccessedAt, @accessCount, @validFrom, @validTo, @supersededBy, '{}', '[]')
      `);
      v8.transaction(() => written.forEach((record) => insert.run(record)))();
      for (const filter of FILTERS) {
        for (const text of TEXTS)
          expected.set(JSON.stringify([filter, text]), searchAtVersion8(v8, text, filter));
      }
    } finally {
      v8.close();
    }
    // The searches are not of empty lists.
    expect([...expected.values()].filter((hits) => hits.length > 0).length).toBeGreaterThan(12);

    const upgraded = openSqliteStores({ path });
    const fresh = openSqliteStores({ path: newPath() });
    try {
      for (const record of written) await fresh.memories.add(record);
      for (const filter of FILTERS) {
        for (const text of TEXTS) {
          const before = canonical(expected.get(JSON.stringify([filter, text])) as MemoryHit[]);
          const after = canonical(await upgraded.memories.searchText({ text, filter, limit: 1_000 }));
          const created = canonical(await fresh.memories.searchText({ text, filter, limit: 1_000 }));
          expect(after, `'${text}' in ${JSON.stringify(filter)}`).toEqual(before);
          expect(created).toEqual(before);
        }
      }
    } finally {
      await upgraded.close();
      await fresh.close();
    }
  });
});
