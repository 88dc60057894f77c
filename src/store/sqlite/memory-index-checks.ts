// Test support: reads the memory store's indexes straight from SQLite, not through search. A search
// joins its hits back to the `memories` rows, so an index entry left behind by a forget (an FTS5
// posting, a vector slot) is invisible to it; these helpers see such leftovers.
import type Database from 'better-sqlite3';
import { chunkSlots } from './sqlite-vector-chunks.js';
import { encodeVector, slotBytes } from '../vector-codes.js';

/** One memory's slot in memory_vector_chunks, decoded. */
export interface VectorSlot {
  chunk: number;
  dimensions: number;
  tenant: string;
  layer: string;
  /** The rowid the slot starts with (a little-endian float64). */
  rowid: number;
  /** The 2-bit code after the rowid. */
  code: Buffer;
}

/** Every slot of the vector index, in chunk order; a chunk whose length is not whole slots throws. */
export function readVectorSlots(db: Database.Database): VectorSlot[] {
  const chunks = db
    .prepare('SELECT chunk, dimensions, tenant, layer, slots FROM memory_vector_chunks ORDER BY chunk')
    .all() as { chunk: number; dimensions: number; tenant: string; layer: string; slots: Buffer }[];
  return chunks.flatMap(({ slots, ...chunk }) => {
    const size = slotBytes(chunk.dimensions);
    if (slots.byteLength === 0 || slots.byteLength % size !== 0) {
      throw new Error(`chunk ${chunk.chunk} holds ${slots.byteLength} bytes, not whole slots of ${size}`);
    }
    const decoded: VectorSlot[] = [];
    for (let offset = 0; offset < slots.byteLength; offset += size) {
      decoded.push({
        ...chunk,
        rowid: slots.readDoubleLE(offset),
        code: Buffer.from(slots.subarray(offset + 8, offset + size)),
      });
    }
    return decoded;
  });
}

/**
 * The rowids with any entry in the FTS5 index, read from the index itself (fts5vocab), not from the
 * external content table it reads its columns from. Sorted.
 */
export function ftsIndexedRowids(db: Database.Database): number[] {
  db.exec(
    'CREATE VIRTUAL TABLE IF NOT EXISTS temp.memories_fts_postings USING fts5vocab(main, memories_fts, instance)',
  );
  const rowids = db.prepare('SELECT DISTINCT doc FROM temp.memories_fts_postings').pluck().all() as number[];
  return rowids.sort((a, b) => a - b);
}

/** The rowids FTS5 matches for one word (in any column), sorted. */
export function ftsMatchRowids(db: Database.Database, word: string): number[] {
  const rowids = db
    .prepare('SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?')
    .pluck()
    .all(`"${word}"`) as number[];
  return rowids.sort((a, b) => a - b);
}

/**
 * FTS5's integrity check with rank 1, which also compares the index with the content table (a
 * posting of a deleted row fails it with SQLITE_CORRUPT_VTAB). Throws when they differ; needs a
 * writable connection.
 */
export function ftsIntegrityCheck(db: Database.Database): void {
  db.prepare("INSERT INTO memories_fts (memories_fts, rank) VALUES ('integrity-check', 1)").run();
}

/**
 * Everything that is wrong between the `memories` table and its indexes, in words; empty when they
 * agree: a vector slot for a rowid without a row or without an embedding, in the wrong scope, with a
 * stale code, or twice; a memory with an embedding but no slot; a scope whose chunks other than the
 * last are not full; an FTS5 posting for a rowid without a row, or a row without postings.
 */
export function memoryIndexProblems(db: Database.Database): string[] {
  const problems: string[] = [];
  const rows = db.prepare('SELECT rowid, tenant, layer, embedding FROM memories').all() as {
    rowid: number;
    tenant: string;
    layer: string;
    embedding: Buffer | null;
  }[];
  const byRowid = new Map(rows.map((row) => [row.rowid, row]));

  let slots: VectorSlot[] = [];
  try {
    slots = readVectorSlots(db);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const seen = new Set<number>();
  const chunkSizes = new Map<string, { chunk: number; slots: number }[]>();
  for (const slot of slots) {
    const row = byRowid.get(slot.rowid);
    if (seen.has(slot.rowid)) problems.push(`vector slot for rowid ${slot.rowid} appears twice`);
    seen.add(slot.rowid);
    if (!row) problems.push(`vector slot for rowid ${slot.rowid}, which has no memories row`);
    else if (!row.embedding) problems.push(`vector slot for rowid ${slot.rowid}, which has no embedding`);
    else {
      const embedding = new Float32Array(new Uint8Array(row.embedding).buffer);
      const scope = [row.tenant, row.layer, embedding.length];
      if (JSON.stringify(scope) !== JSON.stringify([slot.tenant, slot.layer, slot.dimensions])) {
        problems.push(
          `vector slot for rowid ${slot.rowid} is in scope ${slot.tenant}/${slot.layer}/${slot.dimensions}`,
        );
      } else if (!slot.code.equals(Buffer.from(encodeVector(embedding)))) {
        problems.push(`vector slot for rowid ${slot.rowid} holds a code that is not its embedding's`);
      }
    }
    const key = `${slot.tenant}/${slot.layer}/${slot.dimensions}`;
    const sizes = chunkSizes.get(key) ?? [];
    if (sizes.at(-1)?.chunk === slot.chunk) (sizes.at(-1) as { slots: number }).slots++;
    else sizes.push({ chunk: slot.chunk, slots: 1 });
    chunkSizes.set(key, sizes);
  }
  for (const row of rows) {
    if (row.embedding && !seen.has(row.rowid)) problems.push(`memory rowid ${row.rowid} has no vector slot`);
  }
  for (const [key, sizes] of chunkSizes) {
    // A full chunk holds chunkSlots(dimensions) slots, or more when written with the earlier 64.
    const full = chunkSlots(Number(key.split('/').at(-1)));
    for (const { chunk, slots: count } of sizes.slice(0, -1)) {
      if (count < full) problems.push(`chunk ${chunk} of ${key} holds ${count} slots, not ${full}`);
    }
  }

  const indexed = ftsIndexedRowids(db);
  const indexedSet = new Set(indexed);
  for (const rowid of indexed) {
    if (!byRowid.has(rowid)) problems.push(`FTS5 postings for rowid ${rowid}, which has no memories row`);
  }
  for (const row of rows) {
    if (!indexedSet.has(row.rowid)) problems.push(`memory rowid ${row.rowid} has no FTS5 postings`);
  }
  return problems;
}
