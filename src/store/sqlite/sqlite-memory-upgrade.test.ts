// The upgrade of a memory database written at schema version 6 (memories, the v4 full-text index and the
// sqlite-vec vec0 tables of that code) by migration 7 and the memory store's rebuild of the quantized
// vector index (ADR 0015): afterwards every search must answer as a brute-force computation over the
// same records does, and as a database created at the latest version with the same writes does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { afterEach, describe, expect, it } from 'vitest';
import type { MemoryFilter, MemoryLayer, MemoryRecord, MemoryStore } from '../memory-store.js';
import type { Stores } from '../stores.js';
import { applyMigrations, migrations } from './migrations.js';
import { openSqliteDatabase, openSqliteStores } from './open-sqlite-stores.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { chunkSlots } from './sqlite-vector-chunks.js';
import { encodeVector, slotBytes } from '../vector-codes.js';
import { seededRandom as seeded } from '../../core/random.js';
import { cosine, randomVector } from '../conformance/memory-fixtures.js';

const temporaryFolders: string[] = [];

function newDatabasePath(): string {
  const folder = mkdtempSync(join(tmpdir(), 'agentd-memory-upgrade-'));
  temporaryFolders.push(folder);
  return join(folder, 'agentd.db');
}

afterEach(() => {
  for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const LAYERS: readonly MemoryLayer[] = ['semantic', 'episodic', 'working', 'procedural'];
// Words that Porter-stem to distinct stems, so "contains the word" is what FTS5 matches.
const WORDS = [
  'apple',
  'river',
  'stone',
  'cloud',
  'engine',
  'forest',
  'harbor',
  'lantern',
  'meadow',
  'pepper',
  'quartz',
  'saddle',
  'timber',
  'velvet',
  'willow',
  'yonder',
] as const;
const UNICODE_TENANT = 'ünï côde tenant';

/**
 * The records written at version 6: three tenants (one whose name is not ASCII and holds spaces),
 * every layer, 32- and 16-dimension embeddings and memories without one, superseded memories, and
 * scope fields and tags for the filters. The acme semantic scope holds far more than the re-scored
 * pool (256) and many full chunks, so the quantized search really selects candidates from codes.
 */
function v6Records(): MemoryRecord[] {
  const random = seeded(2026);
  const records: MemoryRecord[] = [];
  for (let i = 0; i < 1_400; i++) {
    const tenant = i % 10 < 7 ? 'acme' : i % 10 < 9 ? 'globex' : UNICODE_TENANT;
    const pick = random();
    const layer: MemoryLayer =
      pick < 0.6 ? 'semantic' : pick < 0.85 ? 'episodic' : pick < 0.95 ? 'working' : 'procedural';
    const dimensions = i % 23 === 0 ? 0 : i % 17 === 0 ? 16 : 32;
    const words = Array.from(
      { length: 3 + Math.floor(random() * 4) },
      () => WORDS[Math.floor(random() * WORDS.length)],
    );
    const createdAt = 1_000 + i * 10;
    const superseded = i % 19 === 0;
    records.push({
      id: `m${String(i).padStart(4, '0')}`,
      layer,
      tenant,
      team: (['red', 'green', 'blue', null] as const)[i % 4] ?? null,
      agent: i % 13 === 0 ? 'scout' : i % 2 === 1 ? 'writer' : null,
      taskId: i % 50 === 0 ? null : `task_${i % 7}`,
      content: words.join(' '),
      embedding: dimensions === 0 ? null : randomVector(random, dimensions),
      embeddingModel: dimensions === 0 ? null : dimensions === 32 ? 'model-32' : 'model-16',
      importance: Math.round(random() * 100) / 100,
      createdAt,
      lastAccessedAt: createdAt + 3,
      accessCount: i % 5,
      validFrom: createdAt,
      validTo: superseded ? createdAt + 5 : null,
      supersededBy: superseded ? `m${String(i + 1).padStart(4, '0')}` : null,
      provenance: { taskId: `task_${i % 7}`, step: i % 3 === 0 ? '2.1' : null, source: null },
      tags: (['urgent', 'billing', 'ops'] as const).filter(() => random() < 0.3),
    });
  }
  return records;
}

/**
 * Ids deleted after all records were written (never the newest, so both databases keep the same
 * rowids; never one that superseded another, which the current store's forget would reinstate but
 * the version 6 rows deleted by hand do not).
 */
const DELETED = new Set(
  v6Records().flatMap((record, i) => (i % 37 === 5 && (i - 1) % 19 !== 0 ? [record.id] : [])),
);

/** The filter semantics of MemoryFilter, by brute force. */
function passes(record: MemoryRecord, filter: MemoryFilter): boolean {
  return (
    record.tenant === filter.tenant &&
    (!filter.layers?.length || filter.layers.includes(record.layer)) &&
    (filter.team === undefined || record.team === filter.team) &&
    (filter.agent === undefined || record.agent === filter.agent) &&
    (filter.taskId === undefined || record.taskId === filter.taskId) &&
    (filter.tags ?? []).every((tag) => record.tags.includes(tag)) &&
    (filter.createdAfter === undefined || record.createdAt >= filter.createdAfter) &&
    (filter.createdBefore === undefined || record.createdAt < filter.createdBefore) &&
    (filter.includeSuperseded === true || record.validTo === null)
  );
}

/** The `limit` nearest memories passing the filter (same dimensions only), by brute force. */
function nearest(
  records: Iterable<MemoryRecord>,
  vector: Float32Array,
  filter: MemoryFilter,
  limit: number,
): { id: string; score: number }[] {
  return [...records]
    .filter((record) => record.embedding?.length === vector.length && passes(record, filter))
    .map((record) => ({ id: record.id, score: cosine(vector, record.embedding as Float32Array) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}

const FILTERS: MemoryFilter[] = [
  { tenant: 'acme' },
  { tenant: 'acme', layers: ['semantic'] },
  { tenant: 'acme', layers: ['episodic'] },
  { tenant: 'acme', layers: ['semantic', 'working'] },
  { tenant: 'acme', layers: ['procedural'] },
  { tenant: 'acme', team: 'red' },
  { tenant: 'acme', team: null, layers: ['semantic'] },
  { tenant: 'acme', agent: 'scout' },
  { tenant: 'acme', agent: null },
  { tenant: 'acme', taskId: 'task_3', layers: ['semantic', 'episodic'] },
  { tenant: 'acme', tags: ['urgent'] },
  { tenant: 'acme', tags: ['urgent', 'ops'] },
  { tenant: 'acme', createdAfter: 5_000, createdBefore: 9_000 },
  { tenant: 'acme', includeSuperseded: true },
  { tenant: 'acme', includeSuperseded: true, layers: ['semantic'], agent: 'writer' },
  { tenant: 'globex' },
  { tenant: 'globex', layers: ['episodic', 'procedural'] },
  { tenant: UNICODE_TENANT },
  { tenant: 'nobody' },
];

const ids = (hits: readonly { id: string }[]) => hits.map((hit) => hit.id);

/** Writes the records the way agentd at schema version 6 did: memories rows, and vec0 rows when sqlite-vec loads. */
function createV6Database(
  path: string,
  records: readonly MemoryRecord[],
  deleted: ReadonlySet<string>,
): void {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    expect(
      applyMigrations(
        db,
        migrations.filter((migration) => migration.version <= 6),
      ),
    ).toEqual([1, 2, 3, 4, 5, 6]);
    sqliteVec.load(db);
    const insert = db.prepare(`
      INSERT INTO memories (id, layer, tenant, team, agent, task_id, content, embedding, embedding_model,
        importance, created_at, last_accessed_at, access_count, valid_from, valid_to, superseded_by,
        provenance, tags)
      VALUES (@id, @layer, @tenant, @team, @agent, @taskId, @content, @embedding, @embeddingModel,
        @importance, @createdAt, @lastAccessedAt, @accessCount, @validFrom, @validTo, @supersededBy,
        @provenance, @tags)
    `);
    const vectorTables = new Set<number>();
    db.transaction(() => {
      for (const record of records) {
        const { lastInsertRowid } = insert.run({
          ...record,
          embedding: record.embedding
            ? Buffer.from(record.embedding.buffer, record.embedding.byteOffset, record.embedding.byteLength)
            : null,
          provenance: JSON.stringify(record.provenance),
          tags: JSON.stringify(record.tags),
        });
        if (!record.embedding) continue;
        // The version 6 store's index: one vec0 table per dimension, partitioned by tenant.
        const dimensions = record.embedding.length;
        if (!vectorTables.has(dimensions)) {
          db.exec(`
            CREATE VIRTUAL TABLE memory_vectors_${dimensions} USING vec0(
              tenant TEXT PARTITION KEY, layer TEXT, embedding FLOAT[${dimensions}] DISTANCE_METRIC=cosine
            )
          `);
          vectorTables.add(dimensions);
        }
        db.prepare(
          `INSERT INTO memory_vectors_${dimensions} (rowid, tenant, layer, embedding) VALUES (?, ?, ?, ?)`,
        ).run(BigInt(lastInsertRowid), record.tenant, record.layer, record.embedding);
      }
      for (const id of deleted) {
        const { rowid } = db.prepare('SELECT rowid FROM memories WHERE id = ?').get(id) as { rowid: number };
        for (const dimensions of vectorTables) {
          db.prepare(`DELETE FROM memory_vectors_${dimensions} WHERE rowid = ?`).run(BigInt(rowid));
        }
        db.prepare('DELETE FROM memories WHERE rowid = ?').run(rowid);
      }
    })();
    // The version 6 text index answers, so the records are really there before the upgrade.
    expect(
      (
        db.prepare("SELECT COUNT(*) AS n FROM memories_fts WHERE memories_fts MATCH 'apple'").get() as {
          n: number;
        }
      ).n,
    ).toBeGreaterThan(0);
  } finally {
    db.close();
  }
}

/** The same writes through the current store on a database created at the latest version. */
async function createFreshDatabase(
  path: string,
  records: readonly MemoryRecord[],
  deleted: ReadonlySet<string>,
): Promise<Stores> {
  const stores = openSqliteStores({ path });
  for (const record of records) await stores.memories.add(record);
  for (const id of deleted) {
    const record = records.find((candidate) => candidate.id === id) as MemoryRecord;
    expect(await stores.memories.forget(id, record.tenant)).toBe(true);
  }
  return stores;
}

function sqliteMasterNames(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT name FROM sqlite_master ORDER BY name').pluck().all() as string[];
  } finally {
    db.close();
  }
}

/**
 * Decodes memory_vector_chunks and checks its layout: per (dimensions, tenant, layer) every chunk but
 * the last is full (chunkSlots), and every slot is a rowid followed by the code of that memory's embedding.
 * Returns the rowids per scope.
 */
function readVectorChunks(path: string): Map<string, number[]> {
  const db = new Database(path, { readonly: true });
  try {
    const embeddings = new Map(
      (
        db
          .prepare('SELECT rowid, tenant, layer, embedding FROM memories WHERE embedding IS NOT NULL')
          .all() as {
          rowid: number;
          tenant: string;
          layer: string;
          embedding: Buffer;
        }[]
      ).map((row) => [row.rowid, row]),
    );
    const chunks = db
      .prepare('SELECT chunk, dimensions, tenant, layer, slots FROM memory_vector_chunks ORDER BY chunk')
      .all() as { chunk: number; dimensions: number; tenant: string; layer: string; slots: Buffer }[];
    const byScope = new Map<string, { slots: number; rowids: number[] }[]>();
    for (const chunk of chunks) {
      const size = slotBytes(chunk.dimensions);
      expect(chunk.slots.byteLength % size).toBe(0);
      const rowids: number[] = [];
      for (let offset = 0; offset < chunk.slots.byteLength; offset += size) {
        const rowid = chunk.slots.readDoubleLE(offset);
        const row = embeddings.get(rowid);
        expect(row, `chunk ${chunk.chunk} holds rowid ${rowid}, which has no embedding`).toBeDefined();
        const embedding = new Float32Array(new Uint8Array(row!.embedding).buffer);
        expect([row!.tenant, row!.layer, embedding.length]).toEqual([
          chunk.tenant,
          chunk.layer,
          chunk.dimensions,
        ]);
        expect(Buffer.from(chunk.slots.subarray(offset + 8, offset + size))).toEqual(
          Buffer.from(encodeVector(embedding)),
        );
        rowids.push(rowid);
      }
      const key = JSON.stringify([chunk.dimensions, chunk.tenant, chunk.layer]);
      byScope.set(key, [...(byScope.get(key) ?? []), { slots: rowids.length, rowids }]);
    }
    const result = new Map<string, number[]>();
    for (const [key, scopeChunks] of byScope) {
      const full = chunkSlots((JSON.parse(key) as [number])[0]);
      scopeChunks.slice(0, -1).forEach((chunk) => expect(chunk.slots, `a full chunk of ${key}`).toBe(full));
      expect(scopeChunks.at(-1)!.slots).toBeGreaterThan(0);
      result.set(
        key,
        scopeChunks.flatMap((chunk) => chunk.rowids).sort((a, b) => a - b),
      );
    }
    return result;
  } finally {
    db.close();
  }
}

/** What the chunks must hold: every stored embedding, per (dimensions, tenant, layer). */
function expectedVectorScopes(path: string): Map<string, number[]> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare(
        'SELECT rowid, tenant, layer, length(embedding) / 4 AS dimensions FROM memories WHERE embedding IS NOT NULL ORDER BY rowid',
      )
      .all() as { rowid: number; tenant: string; layer: string; dimensions: number }[];
    const scopes = new Map<string, number[]>();
    for (const row of rows) {
      const key = JSON.stringify([row.dimensions, row.tenant, row.layer]);
      scopes.set(key, [...(scopes.get(key) ?? []), row.rowid]);
    }
    return scopes;
  } finally {
    db.close();
  }
}

/** Vector search in every filter agrees with brute force over `live`: same ids, in order, with exact cosines. */
async function expectVectorSearchLikeBruteForce(
  store: MemoryStore,
  live: ReadonlyMap<string, MemoryRecord>,
  seed: number,
): Promise<number> {
  const random = seeded(seed);
  const liveWithEmbedding = [...live.values()].filter((record) => record.embedding);
  let nonEmpty = 0;
  for (const filter of FILTERS) {
    const queries = [
      randomVector(random, 32),
      randomVector(random, 32),
      randomVector(random, 16),
      // A stored embedding: that memory must come first with similarity 1 when the filter passes it.
      liveWithEmbedding[Math.floor(random() * liveWithEmbedding.length)]!.embedding as Float32Array,
    ];
    for (const vector of queries) {
      for (const limit of [1, 10, 40]) {
        const expected = nearest(live.values(), vector, filter, limit);
        const hits = await store.searchVector({ vector, filter, limit });
        expect(ids(hits), `vector search in ${JSON.stringify(filter)}, limit ${limit}`).toEqual(
          ids(expected),
        );
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 5));
        if (hits.length > 0) nonEmpty++;
      }
    }
  }
  return nonEmpty;
}

/** Text search, count and list in every filter agree with brute force over `live`, and text search with `reference`. */
async function expectTextAndFilteredSearchLikeBruteForce(
  store: MemoryStore,
  reference: MemoryStore,
  live: ReadonlyMap<string, MemoryRecord>,
): Promise<number> {
  let nonEmpty = 0;
  for (const filter of FILTERS) {
    const passing = [...live.values()].filter((record) => passes(record, filter));
    expect(await store.count(filter)).toBe(passing.length);
    const listed = await store.list({ filter, limit: 5_000 });
    expect(ids(listed)).toEqual(ids(passing).sort());
    // Whole records, embeddings included, are read back as they were written.
    for (const record of listed.slice(0, 20)) expect(record).toEqual(live.get(record.id));

    for (const word of ['apple', 'quartz', 'willow']) {
      const hits = await store.searchText({ text: word, filter, limit: 5_000 });
      const containing = passing.filter((record) => record.content.split(' ').includes(word));
      expect(ids(hits).sort(), `text search '${word}' in ${JSON.stringify(filter)}`).toEqual(
        ids(containing).sort(),
      );
      expect(hits.map((hit) => hit.score)).toEqual([...hits.map((hit) => hit.score)].sort((a, b) => b - a));
      if (hits.length > 0) nonEmpty++;
    }
    for (const text of [
      'stone harbor',
      'velvet pepper saddle',
      'engine forest Meadows',
      'apple',
      'lantern',
    ]) {
      for (const limit of [3, 25]) {
        const hits = await store.searchText({ text, filter, limit });
        const expected = await reference.searchText({ text, filter, limit });
        expect(ids(hits), `text search '${text}' in ${JSON.stringify(filter)}`).toEqual(ids(expected));
        hits.forEach((hit, i) => expect(hit.score).toBeCloseTo(expected[i]!.score, 6));
      }
    }
  }
  return nonEmpty;
}

describe('SQLite memory store: upgrade from schema version 6 (migration 7)', () => {
  const records = v6Records();
  const live = new Map(
    records.filter((record) => !DELETED.has(record.id)).map((record) => [record.id, record]),
  );

  it('builds the vector chunks and the scoped text index, and every search answers as brute force does', async () => {
    const path = newDatabasePath();
    createV6Database(path, records, DELETED);
    const before = sqliteMasterNames(path);
    expect(before).toContain('memory_vectors_32');
    expect(before).toContain('memory_vectors_16');
    expect(before).not.toContain('memory_vector_chunks');

    const stores = openSqliteStores({ path });
    const reference = await createFreshDatabase(newDatabasePath(), records, DELETED);
    try {
      expect(stores.memories.vectorIndex).toBe('sqlite-vec');
      const db = new Database(path, { readonly: true });
      try {
        expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(
          migrations.map((migration) => migration.version),
        );
        // The rebuild the migration asked for has been done.
        expect(db.prepare('SELECT COUNT(*) FROM memory_vector_rebuild').pluck().get()).toBe(0);
      } finally {
        db.close();
      }
      // The vec0 tables (and their shadow tables) are gone; the code for every embedding is in a chunk.
      expect(sqliteMasterNames(path).filter((name) => name.startsWith('memory_vectors_'))).toEqual([]);
      const chunks = readVectorChunks(path);
      expect(chunks).toEqual(expectedVectorScopes(path));
      // The acme semantic scope spans many chunks, and the rebuild covered every layer and tenant.
      expect(chunks.get(JSON.stringify([32, 'acme', 'semantic']))!.length).toBeGreaterThan(400);
      for (const layer of LAYERS) expect(chunks.has(JSON.stringify([32, 'acme', layer]))).toBe(true);
      expect(chunks.has(JSON.stringify([16, UNICODE_TENANT, 'semantic']))).toBe(true);
      expect([...chunks.values()].reduce((total, rowids) => total + rowids.length, 0)).toBe(
        [...live.values()].filter((record) => record.embedding).length,
      );

      expect(await stores.memories.tenants()).toEqual(['acme', 'globex', UNICODE_TENANT].sort());
      const vectorHits = await expectVectorSearchLikeBruteForce(stores.memories, live, 99);
      const textHits = await expectTextAndFilteredSearchLikeBruteForce(
        stores.memories,
        reference.memories,
        live,
      );
      // Most filters pass memories: the comparisons are not of empty result lists.
      expect(vectorHits).toBeGreaterThan(150);
      expect(textHits).toBeGreaterThan(40);
      // The stats agree with the database created at the latest version.
      for (const tenant of ['acme', 'globex', UNICODE_TENANT]) {
        expect(await stores.memories.stats(tenant)).toEqual(await reference.memories.stats(tenant));
      }
    } finally {
      await stores.close();
      await reference.close();
    }
  });

  it('keeps the rebuilt index right through later writes, and does not rebuild it again on reopening', async () => {
    const path = newDatabasePath();
    createV6Database(path, records, DELETED);
    const current = new Map(live);
    const random = seeded(404);
    const first = openSqliteStores({ path });
    try {
      // Writes on the upgraded layout: forgets (which refill gaps from a scope's last chunk), new
      // embeddings, layer moves, content edits and new memories, in several scopes.
      const acme = [...current.values()].filter((record) => record.tenant === 'acme' && record.embedding);
      for (const record of acme.filter((_, i) => i % 11 === 0)) {
        expect(await first.memories.forget(record.id, record.tenant)).toBe(true);
        current.delete(record.id);
        // What it superseded is current again.
        for (const other of current.values()) {
          if (other.tenant === record.tenant && other.supersededBy === record.id) {
            current.set(other.id, { ...other, validTo: null, supersededBy: null });
          }
        }
      }
      for (const record of acme.filter((_, i) => i % 11 === 3)) {
        const patch =
          record.layer === 'semantic'
            ? { layer: 'episodic' as const, content: `${record.content} timber` }
            : { embedding: randomVector(random, 32), embeddingModel: 'model-32' };
        current.set(
          record.id,
          (await first.memories.update(record.id, record.tenant, patch)) as MemoryRecord,
        );
      }
      for (let i = 0; i < 90; i++) {
        const record: MemoryRecord = {
          ...(records[i] as MemoryRecord),
          id: `new${i}`,
          tenant: i % 3 === 0 ? 'globex' : 'acme',
          layer: LAYERS[i % 4] as MemoryLayer,
          embedding: randomVector(random, 32),
          validTo: null,
          supersededBy: null,
        };
        await first.memories.add(record);
        current.set(record.id, record);
      }
      expect(readVectorChunks(path)).toEqual(expectedVectorScopes(path));
      await expectVectorSearchLikeBruteForce(first.memories, current, 7);
    } finally {
      await first.close();
    }

    const chunksBefore = readChunkRows(path);
    const second = openSqliteStores({ path });
    try {
      expect(readChunkRows(path)).toEqual(chunksBefore);
      await expectVectorSearchLikeBruteForce(second.memories, current, 8);
    } finally {
      await second.close();
    }
  });

  it('builds the chunks when first opened without sqlite-vec, and drops the vec0 tables on a later open with it', async () => {
    const path = newDatabasePath();
    createV6Database(path, records, DELETED);
    const db = openSqliteDatabase({ path });
    try {
      const store = new SqliteMemoryStore(db, { vectorIndex: 'exact-scan' });
      expect(store.vectorIndex).toBe('exact-scan');
      expect(readVectorChunks(path)).toEqual(expectedVectorScopes(path));
      // Without the extension the vec0 tables cannot be dropped: they stay, unused.
      expect(sqliteMasterNames(path)).toContain('memory_vectors_32');
      await expectVectorSearchLikeBruteForce(store, live, 3);
    } finally {
      db.close();
    }

    const stores = openSqliteStores({ path });
    try {
      expect(stores.memories.vectorIndex).toBe('sqlite-vec');
      expect(sqliteMasterNames(path).filter((name) => name.startsWith('memory_vectors_'))).toEqual([]);
      await expectVectorSearchLikeBruteForce(stores.memories, live, 4);
    } finally {
      await stores.close();
    }
  });

  it('asks for no rebuild when no version 6 memory has an embedding', async () => {
    const path = newDatabasePath();
    const withoutEmbeddings = records
      .slice(0, 50)
      .map((record) => ({ ...record, embedding: null, embeddingModel: null }));
    createV6Database(path, withoutEmbeddings, new Set());
    const stores = openSqliteStores({ path });
    try {
      expect(readChunkRows(path)).toEqual([]);
      const filter = { tenant: 'acme', includeSuperseded: true };
      const expected = withoutEmbeddings.filter((record) => passes(record, filter));
      expect(await stores.memories.count(filter)).toBe(expected.length);
      const apple = await stores.memories.searchText({ text: 'apple', filter, limit: 100 });
      expect(ids(apple).sort()).toEqual(
        ids(expected.filter((record) => record.content.split(' ').includes('apple'))).sort(),
      );
      // A memory added afterwards is indexed as usual.
      const vector = randomVector(seeded(1), 32);
      await stores.memories.add({ ...(records[1] as MemoryRecord), id: 'later', embedding: vector });
      expect(
        ids(await stores.memories.searchVector({ vector, filter: { tenant: 'acme' }, limit: 3 })),
      ).toEqual(['later']);
    } finally {
      await stores.close();
    }
  });
});

function readChunkRows(
  path: string,
): { chunk: number; dimensions: number; tenant: string; layer: string; slots: Buffer }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM memory_vector_chunks ORDER BY chunk').all() as {
      chunk: number;
      dimensions: number;
      tenant: string;
      layer: string;
      slots: Buffer;
    }[];
  } finally {
    db.close();
  }
}
