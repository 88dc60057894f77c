// The memory store's cache of vector chunks across connections (ADR 0015, ADR 0036): each connection
// caches the chunks it read, takes its own committed writes into them, and forgets them all when another
// connection (another process) has committed since (PRAGMA data_version). Two connections on one file stand for two
// processes here; each test has the reading connection search first, so that it holds cached chunks
// when the other one writes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryFilter, MemoryLayer, MemoryRecord } from '../memory-store.js';
import { openSqliteDatabase } from './open-sqlite-stores.js';
import { SqliteMemoryStore } from './sqlite-memory-store.js';
import { seededRandom as seeded } from '../../core/random.js';
import {
  cosine,
  memoryRecord as memory,
  randomVector as randomVectorOf,
} from '../conformance/memory-fixtures.js';

const DIMENSIONS = 32;

function randomVector(random: () => number): Float32Array {
  return randomVectorOf(random, DIMENSIONS);
}

/** `vector` moved slightly at random: its nearest neighbour by far. */
function near(random: () => number, vector: Float32Array): Float32Array {
  return vector.map((x) => x + (random() - 0.5) * 0.05);
}

function opposite(vector: Float32Array): Float32Array {
  return vector.map((x) => -x);
}

/** The `limit` nearest live memories in the tenant and layers, by brute force. */
function nearest(
  live: ReadonlyMap<string, MemoryRecord>,
  vector: Float32Array,
  filter: MemoryFilter,
  limit: number,
): string[] {
  return [...live.values()]
    .filter(
      (record) =>
        record.embedding &&
        record.tenant === filter.tenant &&
        (!filter.layers?.length || filter.layers.includes(record.layer)),
    )
    .map((record) => ({ id: record.id, score: cosine(vector, record.embedding as Float32Array) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((hit) => hit.id);
}

const ids = (hits: readonly { id: string }[]) => hits.map((hit) => hit.id);

const temporaryFolders: string[] = [];

describe('SQLite memory store: the vector chunk cache across connections', () => {
  let path: string;
  let dbA: Database.Database;
  let dbB: Database.Database;
  let a: SqliteMemoryStore;
  let b: SqliteMemoryStore;
  let random: () => number;
  /** What both connections must see: every committed memory. */
  let live: Map<string, MemoryRecord>;
  /** Queries fixed before the seed, so that seeded memories can be placed relative to them. */
  let queries: Record<'add' | 'edit' | 'forget' | 'commit', Float32Array>;

  /** Searches through `store`, and checks the hits against brute force over `live`. */
  async function search(
    store: SqliteMemoryStore,
    vector: Float32Array,
    filter: MemoryFilter = { tenant: 'acme' },
    limit = 5,
  ): Promise<string[]> {
    const hits = await store.searchVector({ vector, filter, limit });
    expect(ids(hits)).toEqual(nearest(live, vector, filter, limit));
    return ids(hits);
  }

  async function addThrough(store: SqliteMemoryStore, record: MemoryRecord): Promise<void> {
    await store.add(record);
    live.set(record.id, record);
  }

  beforeEach(async () => {
    const folder = mkdtempSync(join(tmpdir(), 'agentd-memory-cache-'));
    temporaryFolders.push(folder);
    path = join(folder, 'agentd.db');
    dbA = openSqliteDatabase({ path });
    dbB = openSqliteDatabase({ path });
    a = new SqliteMemoryStore(dbA);
    b = new SqliteMemoryStore(dbB);
    expect([a.vectorIndex, b.vectorIndex]).toEqual(['sqlite-vec', 'sqlite-vec']);
    random = seeded(42);
    live = new Map();
    queries = {
      add: randomVector(random),
      edit: randomVector(random),
      forget: randomVector(random),
      commit: randomVector(random),
    };
    // Scopes of 600 and 200 memories: more than the 256 candidates re-scored exactly in the
    // semantic one, so a memory whose code is stale (or missing) is not found by its true vector.
    for (let i = 0; i < 800; i++) {
      await addThrough(
        a,
        memory({
          id: `m${i}`,
          layer: i % 4 === 3 ? 'episodic' : 'semantic',
          content: i % 2 === 0 ? 'granite quarry report' : 'harbor ledger entry',
          // The memory the edit test moves: first as far from its query as can be.
          embedding: i === 10 ? opposite(queries.edit) : randomVector(random),
        }),
      );
    }
    // Another tenant's memory near every query: never returned to acme.
    for (const [name, query] of Object.entries(queries)) {
      await addThrough(a, memory({ id: `other-${name}`, tenant: 'globex', embedding: near(random, query) }));
    }
  });

  afterEach(() => {
    dbA.close();
    dbB.close();
    for (const folder of temporaryFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('finds a memory added through the other connection after its own search cached the chunks', async () => {
    expect(await search(b, queries.add)).not.toContain('added');
    expect(await search(b, queries.add, { tenant: 'acme', layers: ['semantic'] })).not.toContain('added');

    await addThrough(a, memory({ id: 'added', embedding: near(random, queries.add) }));

    expect((await search(b, queries.add))[0]).toBe('added');
    expect((await search(b, queries.add, { tenant: 'acme', layers: ['semantic'] }))[0]).toBe('added');
    expect(await search(b, queries.add, { tenant: 'acme', layers: ['episodic'] })).not.toContain('added');
    // The writer sees it too (it forgot its own cached scope).
    expect((await search(a, queries.add))[0]).toBe('added');
  });

  it('finds a memory by its new embedding after the other connection changed it', async () => {
    expect(await search(b, queries.edit)).not.toContain('m10');
    expect(await search(a, queries.edit)).not.toContain('m10');

    const updated = await a.update('m10', 'acme', { embedding: near(random, queries.edit) });
    live.set('m10', updated as MemoryRecord);

    const hits = await b.searchVector({ vector: queries.edit, filter: { tenant: 'acme' }, limit: 5 });
    expect(hits[0]?.id).toBe('m10');
    expect(hits[0]!.score).toBeCloseTo(cosine(queries.edit, updated!.embedding as Float32Array), 5);
    await search(b, queries.edit);
    // Its old embedding no longer finds it.
    expect(await search(b, opposite(queries.edit))).not.toContain('m10');
    expect((await search(a, queries.edit))[0]).toBe('m10');
  });

  it('sees a content edit through the other connection in text search, with its vector still indexed', async () => {
    const textIds = async (text: string) =>
      ids(await b.searchText({ text, filter: { tenant: 'acme' }, limit: 1_000 })).sort();
    expect(await textIds('zeppelin')).toEqual([]);
    expect(await textIds('granite')).toContain('m20');
    const vector = live.get('m20')!.embedding as Float32Array;
    expect((await search(b, vector))[0]).toBe('m20');

    live.set(
      'm20',
      (await a.update('m20', 'acme', { content: 'the zeppelin lands on Tuesday' })) as MemoryRecord,
    );

    expect(await textIds('zeppelin')).toEqual(['m20']);
    expect(await textIds('granite')).not.toContain('m20');
    expect((await b.get('m20', 'acme'))?.content).toBe('the zeppelin lands on Tuesday');
    expect((await search(b, vector))[0]).toBe('m20');
  });

  it('finds a memory in the layer the other connection moved it to, and not in the old one', async () => {
    const moved = live.get('m30') as MemoryRecord;
    expect(moved.layer).toBe('semantic');
    const vector = moved.embedding as Float32Array;
    expect(await search(b, vector, { tenant: 'acme', layers: ['episodic'] })).not.toContain('m30');
    expect((await search(b, vector, { tenant: 'acme', layers: ['semantic'] }))[0]).toBe('m30');

    live.set('m30', (await a.update('m30', 'acme', { layer: 'episodic' })) as MemoryRecord);

    expect((await search(b, vector, { tenant: 'acme', layers: ['episodic'] }))[0]).toBe('m30');
    expect(await search(b, vector, { tenant: 'acme', layers: ['semantic'] })).not.toContain('m30');
    expect((await search(b, vector))[0]).toBe('m30');
  });

  it('never returns a memory forgotten through the other connection, nor its code for the memory taking its rowid', async () => {
    await addThrough(a, memory({ id: 'doomed', embedding: near(random, queries.forget) }));
    const rowidOf = (id: string) =>
      (dbA.prepare('SELECT rowid FROM memories WHERE id = ?').get(id) as { rowid: number } | undefined)
        ?.rowid;
    const doomedRowid = rowidOf('doomed');
    expect((await search(b, queries.forget))[0]).toBe('doomed');
    await search(b, opposite(queries.forget));

    expect(await a.forget('doomed', 'acme')).toBe(true);
    live.delete('doomed');

    expect(await search(b, queries.forget)).not.toContain('doomed');
    expect(await search(b, queries.forget, { tenant: 'acme', layers: ['semantic'] }, 1_000)).not.toContain(
      'doomed',
    );
    expect(await b.get('doomed', 'acme')).toBeNull();

    // The newest rowid is free again: the next memory takes it, with the opposite embedding.
    await addThrough(a, memory({ id: 'reborn', embedding: near(random, opposite(queries.forget)) }));
    expect(rowidOf('reborn')).toBe(doomedRowid);
    expect((await search(b, opposite(queries.forget)))[0]).toBe('reborn');
    expect(await search(b, queries.forget)).not.toContain('reborn');
  });

  it('sees a write once it commits, though its search during the transaction cached the chunks', async () => {
    const pending = memory({ id: 'pending', embedding: near(random, queries.commit) });
    expect(await search(b, queries.commit)).not.toContain('pending');

    dbA.exec('BEGIN IMMEDIATE');
    await a.add(pending);
    // Not committed: the other connection neither sees it nor waits for it (WAL).
    expect(await search(b, queries.commit)).not.toContain('pending');
    dbA.exec('COMMIT');
    live.set(pending.id, pending);

    expect((await search(b, queries.commit))[0]).toBe('pending');
  });

  it('shows nothing of a write that was rolled back', async () => {
    const vector = near(random, queries.commit);
    expect(await search(b, vector)).not.toContain('rolled-back');

    dbA.exec('BEGIN IMMEDIATE');
    await a.add(memory({ id: 'rolled-back', embedding: vector }));
    expect(await search(b, vector)).not.toContain('rolled-back');
    dbA.exec('ROLLBACK');

    expect(await search(b, vector)).not.toContain('rolled-back');
    expect(await search(a, vector)).not.toContain('rolled-back');
    expect(await a.get('rolled-back', 'acme')).toBeNull();
  });

  it('does not keep chunks read inside its own transaction that was then rolled back', async () => {
    const vector = near(random, queries.commit);
    dbA.exec('BEGIN IMMEDIATE');
    await a.add(memory({ id: 'rolled-back', embedding: vector }));
    // The writer searches inside its transaction: it sees its own write.
    const inside = await a.searchVector({ vector, filter: { tenant: 'acme' }, limit: 1 });
    expect(ids(inside)).toEqual(['rolled-back']);
    dbA.exec('ROLLBACK');

    // The next memory takes the rolled-back one's rowid, in another layer (so the semantic scope's
    // cached chunks are not invalidated by the write): it must be found once, by its own vector.
    await addThrough(a, memory({ id: 'after', layer: 'episodic', embedding: near(random, vector) }));
    expect(await search(a, vector)).toEqual(expect.arrayContaining(['after']));
  });

  it('takes its own committed writes into the chunks it cached, instead of reading them again', async () => {
    await search(a, queries.add);
    await addThrough(a, memory({ id: 'own-add', embedding: near(random, queries.add) }));
    live.set(
      'm20',
      (await a.update('m20', 'acme', { embedding: near(random, queries.edit) })) as MemoryRecord,
    );
    expect(await a.forget('m30', 'acme')).toBe(true);
    live.delete('m30');
    // The chunks are emptied behind the store's back on its own connection, which changes no
    // data_version: only a cache that took the three writes above still answers as brute force does.
    dbA.exec('DELETE FROM memory_vector_chunks');
    expect((await search(a, queries.add))[0]).toBe('own-add');
    expect((await search(a, queries.edit))[0]).toBe('m20');
    expect(await search(a, live.get('m31')?.embedding as Float32Array)).not.toContain('m30');
  });

  it('leaves the chunks it cached as they were when its own batch fails part-way', async () => {
    await search(a, queries.add);
    const batch = [
      memory({ id: 'batch-1', embedding: near(random, queries.add) }),
      memory({ id: 'batch-2', layer: 'episodic', embedding: near(random, queries.add) }),
      // A taken id: the whole batch is undone.
      memory({ id: 'm5', embedding: near(random, queries.add) }),
    ];
    await expect(a.apply('acme', { add: batch })).rejects.toMatchObject({ code: 'memory.exists' });
    expect(await search(a, queries.add)).not.toContain('batch-1');
    expect(await search(a, queries.add, { tenant: 'acme', layers: ['episodic'] })).not.toContain('batch-2');
    // The next write takes the rowids the batch had used; it is found once, by its own vector.
    await addThrough(a, memory({ id: 'after', embedding: near(random, queries.add) }));
    expect((await search(a, queries.add))[0]).toBe('after');
  });

  it('keeps both connections right through interleaved writes from either side', async () => {
    const connections = [a, b];
    // Both hold cached chunks of every scope.
    for (const store of connections) {
      await search(store, queries.add);
      await search(store, queries.add, { tenant: 'acme', layers: ['episodic'] });
    }
    let next = 0;
    for (let step = 0; step < 80; step++) {
      const writer = connections[step % 3 === 0 ? 1 : 0] as SqliteMemoryStore;
      const acme = [...live.values()].filter((record) => record.tenant === 'acme');
      const target = acme[Math.floor(random() * acme.length)] as MemoryRecord;
      const op = Math.floor(random() * 4);
      let probe: Float32Array;
      let changed = target.id;
      if (op === 0) {
        probe = randomVector(random);
        changed = `new${next++}`;
        const layer: MemoryLayer = random() < 0.5 ? 'semantic' : 'episodic';
        await addThrough(writer, memory({ id: changed, layer, embedding: probe }));
      } else if (op === 1) {
        probe = randomVector(random);
        live.set(target.id, (await writer.update(target.id, 'acme', { embedding: probe })) as MemoryRecord);
      } else if (op === 2) {
        const layer: MemoryLayer = target.layer === 'semantic' ? 'episodic' : 'semantic';
        live.set(target.id, (await writer.update(target.id, 'acme', { layer })) as MemoryRecord);
        probe = target.embedding as Float32Array;
      } else {
        expect(await writer.forget(target.id, 'acme')).toBe(true);
        live.delete(target.id);
        probe = target.embedding as Float32Array;
      }
      const current = live.get(changed);
      for (const store of connections) {
        for (const filter of [
          { tenant: 'acme' },
          { tenant: 'acme', layers: ['semantic'] as MemoryLayer[] },
          { tenant: 'acme', layers: ['episodic'] as MemoryLayer[] },
        ]) {
          const found = await search(store, probe, filter);
          // The changed memory is where it now is, and nowhere else.
          if (!current) expect(found).not.toContain(changed);
          else if (!filter.layers || filter.layers.includes(current.layer)) expect(found[0]).toBe(changed);
          else expect(found).not.toContain(changed);
        }
      }
    }
    expect(next).toBeGreaterThan(0);
  });
});
