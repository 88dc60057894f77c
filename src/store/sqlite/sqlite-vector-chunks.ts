import type Database from 'better-sqlite3';
import type { MemoryRecord } from '../memory-store.js';
import { alignedCopy, encodeSlot, slotBytes, toVector } from '../vector-codes.js';
import { statementCache } from './statement-cache.js';

// The vector index's storage (hand-written, see the migration that creates memory_vector_chunks):
// every embedding as a 2-bit code per dimension, packed to a row per (dimensions, tenant, layer), so a
// search reads a tenant's codes in a few hundred rows. A chunk holds up to 64 slots, and no more
// than fit in CHUNK_BYTES, which SQLite keeps on the row's own 4 KB page: appending a slot then
// rewrites one page, not the two or three overflow pages a larger chunk spills into (27 slots at 512
// dimensions). Databases written when every chunk held 64 keep those chunks, which read the same.
const CHUNK_BYTES = 3_800;
const MAX_CHUNK_SLOTS = 64;

/** How many slots a chunk of embeddings of these dimensions holds when full. */
export function chunkSlots(dimensions: number): number {
  return Math.max(1, Math.min(MAX_CHUNK_SLOTS, Math.floor(CHUNK_BYTES / slotBytes(dimensions))));
}

/** The chunks of one (dimensions, tenant, layer). */
export interface VectorScope {
  dimensions: number;
  tenant: string;
  layer: string;
}

function scopeKey(scope: VectorScope): string {
  return JSON.stringify([scope.dimensions, scope.tenant, scope.layer]);
}

/** A scope's chunks as cached: their ids and slots (copies aligned for word reads), in chunk order. */
interface CachedScope {
  chunks: number[];
  slots: Uint8Array[];
}

/**
 * What a connection knows of the chunks: those it last read, per scope, at `dataVersion`; and the
 * chunks its open transaction has written (new slots, or null for a deleted chunk), per scope.
 */
interface ConnectionChunks {
  dataVersion: number;
  scopes: Map<string, CachedScope>;
  bytes: number;
  written: Map<string, Map<number, Uint8Array | null>>;
}

// Reading a tenant's chunks costs ~700 page reads (2 ms at 20,000 memories), so they are cached per
// connection, so that every store on it sees the others' writes. A commit by another connection
// (PRAGMA data_version) forgets them all; the connection's own committed writes are applied to them
// (see settle), so a search after a write reads nothing again.
const connections = new WeakMap<Database.Database, ConnectionChunks>();
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

/** How a transaction that wrote chunks ended, as far as the store that ran it knows. */
export type WriteOutcome = 'committed' | 'rolled-back' | 'inside-another-transaction';

/**
 * The codes of every memory with an embedding, in chunks per scope, kept in step with the
 * `memories` table by the store that owns it (inside its transactions, each followed by
 * {@link VectorChunks.settle}), and read through a per-connection cache.
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
    const last = this.#prepare(
      `
      SELECT chunk, slots FROM memory_vector_chunks
      WHERE dimensions = @dimensions AND tenant = @tenant AND layer = @layer
      ORDER BY chunk DESC LIMIT 1
    `,
    ).get(scope) as ChunkRow | undefined;
    const slot = encodeSlot(rowid, record.embedding);
    if (last && last.slots.byteLength < chunkSlots(scope.dimensions) * slot.byteLength) {
      this.#write(scope, last.chunk, Buffer.concat([last.slots, slot]));
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
    const scope = { dimensions, tenant: row.tenant, layer: row.layer };
    const chunks = this.#prepare(
      `
      SELECT chunk, slots FROM memory_vector_chunks
      WHERE dimensions = @dimensions AND tenant = @tenant AND layer = @layer
      ORDER BY chunk
    `,
    ).all(scope) as ChunkRow[];
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
      this.#write(scope, found.chunk.chunk, slots);
    } else if (found.offset !== end) {
      last.slots.copy(last.slots, found.offset, end);
    }
    if (end === 0) {
      this.#prepare('DELETE FROM memory_vector_chunks WHERE chunk = ?').run(last.chunk);
      this.#written(scope).set(last.chunk, null);
    } else {
      this.#write(scope, last.chunk, last.slots.subarray(0, end));
    }
  }

  #insert(scope: VectorScope, slots: Uint8Array): void {
    const { lastInsertRowid } = this.#prepare(
      `
      INSERT INTO memory_vector_chunks (dimensions, tenant, layer, slots)
      VALUES (@dimensions, @tenant, @layer, @slots)
    `,
    ).run({ ...scope, slots });
    this.#written(scope).set(Number(lastInsertRowid), slots);
  }

  #write(scope: VectorScope, chunk: number, slots: Uint8Array): void {
    this.#prepare('UPDATE memory_vector_chunks SET slots = ? WHERE chunk = ?').run(slots, chunk);
    this.#written(scope).set(chunk, slots);
  }

  /** The chunks of a scope the connection's open transaction has written, by chunk id. */
  #written(scope: VectorScope): Map<number, Uint8Array | null> {
    const state = this.#connection();
    const key = scopeKey(scope);
    let chunks = state.written.get(key);
    if (!chunks) {
      chunks = new Map();
      state.written.set(key, chunks);
    }
    return chunks;
  }

  /**
   * Called by the store after each of its write transactions. Committed: the chunks it wrote replace
   * the cached ones, so the next search reads no chunk again. Rolled back: the cache never saw them.
   * Inside a transaction someone else opened (which may still roll back): the scopes it wrote are
   * dropped from the cache and read again when next searched.
   */
  settle(outcome: WriteOutcome): void {
    // A cache made stale by another connection's commit meanwhile is emptied when next read (#state).
    const state = this.#connection();
    for (const [key, written] of state.written) {
      const cached = state.scopes.get(key);
      if (!cached || outcome === 'rolled-back') continue;
      if (outcome === 'inside-another-transaction') {
        this.#forget(state, key);
        continue;
      }
      for (const [chunk, slots] of written) {
        const index = sortedIndex(cached.chunks, chunk);
        const present = cached.chunks[index] === chunk;
        const before = present ? (cached.slots[index] as Uint8Array).byteLength : 0;
        if (slots === null) {
          if (present) {
            cached.chunks.splice(index, 1);
            cached.slots.splice(index, 1);
          }
        } else if (present) {
          cached.slots[index] = alignedCopy(slots);
        } else {
          cached.chunks.splice(index, 0, chunk);
          cached.slots.splice(index, 0, alignedCopy(slots));
        }
        state.bytes += (slots?.byteLength ?? 0) - before;
      }
    }
    state.written.clear();
  }

  /**
   * The slots of a scope's chunks, from the connection's cache when it is still valid (read outside a
   * transaction). A scope the open transaction has written is read from the database.
   */
  slotsOf(scope: VectorScope): Uint8Array[] {
    const state = this.#state();
    const key = scopeKey(scope);
    const cached = state.scopes.get(key);
    if (cached && !state.written.has(key)) return cached.slots;
    const rows = this.#prepare(
      `
      SELECT chunk, slots FROM memory_vector_chunks
      WHERE dimensions = @dimensions AND tenant = @tenant AND layer = @layer
      ORDER BY chunk
    `,
    ).all(scope) as ChunkRow[];
    const slots = rows.map((row) => alignedCopy(row.slots));
    // Chunks read inside a transaction may be rolled back, which changes no data_version.
    if (this.#db.inTransaction) return slots;
    const bytes = slots.reduce((total, chunk) => total + chunk.byteLength, 0);
    if (state.bytes + bytes > CHUNK_CACHE_BYTES) {
      state.scopes.clear();
      state.bytes = 0;
    }
    state.scopes.set(key, { chunks: rows.map((row) => row.chunk), slots });
    state.bytes += bytes;
    return slots;
  }

  /** The connection's chunk state, its cache emptied when another connection has committed since. */
  #state(): ConnectionChunks {
    const version = (this.#prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    const state = this.#connection(version);
    if (state.dataVersion !== version) {
      state.dataVersion = version;
      state.scopes.clear();
      state.bytes = 0;
    }
    return state;
  }

  /** The connection's chunk state as it is (created empty, at `version` or 0, if there is none). */
  #connection(version = 0): ConnectionChunks {
    let state = connections.get(this.#db);
    if (!state) {
      state = { dataVersion: version, scopes: new Map(), bytes: 0, written: new Map() };
      connections.set(this.#db, state);
    }
    return state;
  }

  #forget(state: ConnectionChunks, key: string): void {
    const cached = state.scopes.get(key);
    if (!cached) return;
    state.scopes.delete(key);
    state.bytes -= cached.slots.reduce((total, chunk) => total + chunk.byteLength, 0);
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
        connections.delete(db);
        db.prepare('DELETE FROM memory_vector_chunks').run();
        // Slots are gathered per scope and written a full chunk at a time, not one by one.
        const open = new Map<string, { scope: VectorScope; slots: Uint8Array[] }>();
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
            const scope = { dimensions: vector.length, tenant: row.tenant, layer: row.layer };
            const key = scopeKey(scope);
            let group = open.get(key);
            if (!group) {
              group = { scope, slots: [] };
              open.set(key, group);
            }
            group.slots.push(encodeSlot(row.rowid, vector));
            if (group.slots.length === chunkSlots(scope.dimensions)) flush(key);
          }
          after = (rows.at(-1) as { rowid: number }).rowid;
        }
        for (const key of [...open.keys()]) flush(key);
        db.prepare('DELETE FROM memory_vector_rebuild').run();
      }).immediate();
      // Inserting recorded the chunks as written; nothing is cached to apply them to.
      connections.delete(db);
    }
  }
}

/** Where `value` is, or would go, in ascending `values` (binary search). */
function sortedIndex(values: readonly number[], value: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((values[middle] as number) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
