import type Database from 'better-sqlite3';
import type { MemoryRecord } from '../memory-store.js';
import { encodeSlot, slotBytes, toVector } from './vector-codes.js';
import { statementCache } from './statement-cache.js';

// The vector index's storage (hand-written, see the migration that creates memory_vector_chunks):
// every embedding as a 2-bit code per dimension, packed CHUNK_SLOTS to a row per (dimensions,
// tenant, layer), so a search reads a tenant's codes in a few hundred rows.
const CHUNK_SLOTS = 64;

/** The chunks of one (dimensions, tenant, layer). */
export interface VectorScope {
  dimensions: number;
  tenant: string;
  layer: string;
}

function scopeKey(scope: VectorScope): string {
  return JSON.stringify([scope.dimensions, scope.tenant, scope.layer]);
}

/** Chunk slots as last read, per scope, and the data_version they were read at. */
interface ChunkCache {
  dataVersion: number;
  scopes: Map<string, Buffer[]>;
  bytes: number;
}

// Reading a tenant's chunks costs ~700 page reads (2 ms at 20,000 memories), so they are cached,
// per connection, so that every store on it sees the others' writes: a write on the connection
// forgets its scope, and a commit by another connection (PRAGMA data_version) forgets them all.
const chunkCaches = new WeakMap<Database.Database, ChunkCache>();
// At 512 dimensions, about 490,000 memories' codes.
const CHUNK_CACHE_BYTES = 64 * 1024 * 1024;

interface ChunkRow {
  chunk: number;
  /** Per memory: its rowid (float64, little-endian), then its code. */
  slots: Buffer;
}

/** What locates a memory's code: its rowid and scope, and the byte length of its embedding. */
export interface IndexedVector {
  rowid: number;
  tenant: string;
  layer: string;
  bytes: number | null;
}

/**
 * The codes of every memory with an embedding, in chunks per scope, kept in step with the
 * `memories` table by the store that owns it (inside its transactions), and read through a
 * per-connection cache.
 */
export class VectorChunks {
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#prepare = statementCache(db);
  }

  /** Appends a memory's code to the last chunk of its scope, or starts a chunk when that one is full. */
  index(rowid: number, record: Pick<MemoryRecord, 'tenant' | 'layer' | 'embedding'>): void {
    if (!record.embedding) return;
    const scope = { dimensions: record.embedding.length, tenant: record.tenant, layer: record.layer };
    this.#invalidate(scope);
    const last = this.#prepare(
      `
      SELECT chunk, slots FROM memory_vector_chunks
      WHERE dimensions = @dimensions AND tenant = @tenant AND layer = @layer
      ORDER BY chunk DESC LIMIT 1
    `,
    ).get(scope) as ChunkRow | undefined;
    const slot = encodeSlot(rowid, record.embedding);
    if (last && last.slots.byteLength < CHUNK_SLOTS * slot.byteLength) {
      this.#write(last.chunk, Buffer.concat([last.slots, slot]));
    } else {
      this.#insert(scope, slot);
    }
  }

  /**
   * Removes a memory's code. The last slot of its scope's last chunk moves into the gap, so every
   * chunk of a scope but its last stays full and a search reads as few rows as possible.
   */
  unindex(row: IndexedVector): void {
    if (!row.bytes) return;
    const dimensions = row.bytes / Float32Array.BYTES_PER_ELEMENT;
    const size = slotBytes(dimensions);
    this.#invalidate({ dimensions, tenant: row.tenant, layer: row.layer });
    const chunks = this.#prepare(
      `
      SELECT chunk, slots FROM memory_vector_chunks
      WHERE dimensions = @dimensions AND tenant = @tenant AND layer = @layer
      ORDER BY chunk
    `,
    ).all({ dimensions, tenant: row.tenant, layer: row.layer }) as ChunkRow[];
    let found: { chunk: ChunkRow; offset: number } | undefined;
    chunks.some((chunk) => {
      for (let offset = 0; offset < chunk.slots.byteLength; offset += size) {
        if (chunk.slots.readDoubleLE(offset) === row.rowid) {
          found = { chunk, offset };
          return true;
        }
      }
      return false;
    });
    const last = chunks.at(-1);
    // No code (a memory written before its index existed is covered by the rebuild at open).
    if (!found || !last) return;
    const end = last.slots.byteLength - size;
    if (found.chunk !== last) {
      const slots = Buffer.from(found.chunk.slots);
      last.slots.copy(slots, found.offset, end);
      this.#write(found.chunk.chunk, slots);
    } else if (found.offset !== end) {
      last.slots.copy(last.slots, found.offset, end);
    }
    if (end === 0) this.#prepare('DELETE FROM memory_vector_chunks WHERE chunk = ?').run(last.chunk);
    else this.#write(last.chunk, last.slots.subarray(0, end));
  }

  #insert(scope: VectorScope, slots: Uint8Array): void {
    this.#prepare(
      `
      INSERT INTO memory_vector_chunks (dimensions, tenant, layer, slots)
      VALUES (@dimensions, @tenant, @layer, @slots)
    `,
    ).run({ ...scope, slots });
  }

  #write(chunk: number, slots: Uint8Array): void {
    this.#prepare('UPDATE memory_vector_chunks SET slots = ? WHERE chunk = ?').run(slots, chunk);
  }

  /**
   * The slots of a scope's chunks, from the connection's cache when it is still valid (read outside a
   * transaction).
   */
  slotsOf(scope: VectorScope): Buffer[] {
    const cache = this.#cache();
    const key = scopeKey(scope);
    let slots = cache.scopes.get(key);
    if (!slots) {
      slots = (
        this.#prepare(
          `
          SELECT slots FROM memory_vector_chunks
          WHERE dimensions = @dimensions AND tenant = @tenant AND layer = @layer
        `,
        ).all(scope) as Pick<ChunkRow, 'slots'>[]
      ).map((row) => row.slots);
      // Chunks read inside a transaction may be rolled back, which changes no data_version.
      if (this.#db.inTransaction) return slots;
      const bytes = slots.reduce((total, chunk) => total + chunk.byteLength, 0);
      if (cache.bytes + bytes > CHUNK_CACHE_BYTES) {
        cache.scopes.clear();
        cache.bytes = 0;
      }
      cache.scopes.set(key, slots);
      cache.bytes += bytes;
    }
    return slots;
  }

  /** The chunk cache of this connection, emptied when another connection has committed since. */
  #cache(): ChunkCache {
    const version = (this.#prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    let cache = chunkCaches.get(this.#db);
    if (!cache) {
      cache = { dataVersion: version, scopes: new Map(), bytes: 0 };
      chunkCaches.set(this.#db, cache);
    } else if (cache.dataVersion !== version) {
      cache.dataVersion = version;
      cache.scopes.clear();
      cache.bytes = 0;
    }
    return cache;
  }

  /** Forgets the cached chunks of a scope this connection is about to change. */
  #invalidate(scope: VectorScope): void {
    const cache = chunkCaches.get(this.#db);
    const slots = cache?.scopes.get(scopeKey(scope));
    if (!cache || !slots) return;
    cache.scopes.delete(scopeKey(scope));
    cache.bytes -= slots.reduce((total, chunk) => total + chunk.byteLength, 0);
  }

  /**
   * Builds the codes from the stored embeddings when a migration asked for it (a database written
   * before the quantized index, or whose codes must be rebuilt).
   */
  rebuildIfRequested(): void {
    const db = this.#db;
    const pending = () => db.prepare('SELECT 1 FROM memory_vector_rebuild LIMIT 1').get() !== undefined;
    if (pending()) {
      db.transaction(() => {
        // Another process may have built it between the check and the write lock.
        if (!pending()) return;
        chunkCaches.delete(db);
        db.prepare('DELETE FROM memory_vector_chunks').run();
        // Slots are gathered per scope and written a full chunk at a time, not one by one.
        const open = new Map<
          string,
          { scope: { dimensions: number; tenant: string; layer: string }; slots: Uint8Array[] }
        >();
        const flush = (key: string) => {
          const group = open.get(key);
          if (!group) return;
          this.#insert(group.scope, Buffer.concat(group.slots));
          open.delete(key);
        };
        const page = db.prepare(
          'SELECT rowid, tenant, layer, embedding FROM memories WHERE rowid > ? AND embedding IS NOT NULL ORDER BY rowid LIMIT 1000',
        );
        for (let after = 0; ;) {
          const rows = page.all(after) as {
            rowid: number;
            tenant: string;
            layer: string;
            embedding: Buffer;
          }[];
          if (rows.length === 0) break;
          for (const row of rows) {
            const vector = toVector(row.embedding);
            const key = JSON.stringify([vector.length, row.tenant, row.layer]);
            let group = open.get(key);
            if (!group) {
              group = {
                scope: { dimensions: vector.length, tenant: row.tenant, layer: row.layer },
                slots: [],
              };
              open.set(key, group);
            }
            group.slots.push(encodeSlot(row.rowid, vector));
            if (group.slots.length === CHUNK_SLOTS) flush(key);
          }
          after = (rows.at(-1) as { rowid: number }).rowid;
        }
        for (const key of [...open.keys()]) flush(key);
        db.prepare('DELETE FROM memory_vector_rebuild').run();
      }).immediate();
    }
  }
}
