import type { MemoryFilter, MemoryHit, MemoryLayer } from '../memory-store.js';
import { narrowsScope } from '../narrows-scope.js';
import { estimateSimilarities, norm, slotBytes, takeBest, toVector } from '../vector-codes.js';
import { memoryFilterSql, prepared, SqlParams } from './pg-memory-filter.js';
import type { VectorScope } from './pg-memory-statistics.js';
import type { Queryable } from './pg-memory-text-search.js';

// The quantized vector search of the SQLite store (ADR 0015) on Postgres without pgvector: every
// memory's 2-bit code (column `code`) in the scope is scored against the float query in the worker
// (asymmetric distance, vector-codes.ts), the best estimates are taken as candidates in rounds while
// the filter rejects too many, and the survivors are re-scored exactly (cosine of the stored float
// vectors). Same pool sizes as SQLite, so both find the same neighbours.
const MIN_POOL = 256;
const POOL_SCALE = 2.5;
const LAYERS: readonly MemoryLayer[] = ['working', 'episodic', 'semantic', 'procedural'];

/** Nearest memories by cosine similarity within the filter, best first (the quantized scan). */
export async function searchMemoryVectors(
  db: Queryable,
  cache: VectorCodeCache,
  query: { vector: Float32Array; filter: MemoryFilter; limit: number },
): Promise<MemoryHit[]> {
  const { vector, filter, limit } = query;
  if (limit <= 0 || !allFinite(vector)) return [];
  const layers = filter.layers?.length ? [...new Set(filter.layers)] : LAYERS;
  const chunks = await cache.read(db, { tenant: filter.tenant, layers, dimensions: vector.length });
  const estimates = estimateSimilarities(vector, chunks);
  const count = estimates.scores.length;
  if (count === 0) return [];
  // As in the SQLite store: rounds until a pool sized for the memories that pass the filter has
  // passed it; a filter narrower than the scope read is checked before re-scoring.
  const narrowing = narrowsScope(filter);
  const hits: MemoryHit[] = [];
  const passing: number[] = [];
  let taken = 0;
  let wanted = poolSize(limit, count);
  for (let round = wanted; taken < count;) {
    const best = takeBest(estimates.scores, Math.min(round, count - taken));
    taken += best.length;
    const seqs = best.map(estimates.rowidAt);
    if (narrowing) passing.push(...(await passingCandidates(db, seqs, filter)));
    else hits.push(...(await rescore(db, seqs, vector, filter)));
    const found = narrowing ? passing.length : hits.length;
    if (found === 0) {
      round *= 4;
      continue;
    }
    const rate = found / taken;
    wanted = poolSize(limit, Math.max(found, Math.round(rate * count)));
    if (found >= wanted) break;
    round = Math.ceil(((wanted - found) / rate) * 1.25);
  }
  if (narrowing && passing.length > 0) hits.push(...(await rescore(db, passing, vector)));
  return hits.sort((a, b) => b.score - a.score).slice(0, limit);
}

// At 512 dimensions, about 490,000 memories' codes (as the SQLite store's chunk cache).
const CACHE_BYTES = 64 * 1024 * 1024;

/**
 * The codes of the scopes a process searched, each as one chunk of slots (seq as a little-endian
 * float64, then the code: the layout estimateSimilarities reads), kept with the scope's version in
 * memory_vector_versions. A search reads the versions (one small query) and reads again only the
 * scopes another write changed since, in any process: every write that changes a scope's codes
 * raises its version in the same transaction, and a scope is read with its version in one snapshot.
 */
export class VectorCodeCache {
  readonly #scopes = new Map<string, { version: number; slots: Uint8Array }>();
  #bytes = 0;

  /** The current codes of a tenant's layers at these dimensions, one chunk per layer with codes. */
  async read(
    db: Queryable,
    scope: { tenant: string; layers: readonly string[]; dimensions: number },
  ): Promise<Uint8Array[]> {
    const { rows } = await db.query<{ layer: string; version: number }>(
      prepared(
        `SELECT layer, version::float8 AS version FROM memory_vector_versions
         WHERE tenant = $1 AND dimensions = $2 AND layer = ANY($3::text[])`,
        [scope.tenant, scope.dimensions, scope.layers],
      ),
    );
    const versions = new Map(rows.map((row) => [row.layer, row.version]));
    const chunks: Uint8Array[] = [];
    for (const layer of scope.layers) {
      const version = versions.get(layer);
      // No version: no code was ever written in the scope.
      if (version === undefined) continue;
      const key = JSON.stringify([scope.tenant, layer, scope.dimensions]);
      let cached = this.#scopes.get(key);
      if (cached?.version !== version) {
        cached = await this.#load(db, { tenant: scope.tenant, layer, dimensions: scope.dimensions });
        this.#store(key, cached);
      }
      if (cached.slots.byteLength > 0) chunks.push(cached.slots);
    }
    return chunks;
  }

  async #load(db: Queryable, scope: VectorScope): Promise<{ version: number; slots: Uint8Array }> {
    const { rows } = await db.query<{ version: number | null; slots: Buffer | null }>(
      prepared(
        `SELECT (SELECT version::float8 FROM memory_vector_versions
                 WHERE tenant = $1 AND layer = $2 AND dimensions = $3) AS version,
           string_agg(float8send(m.seq::float8) || m.code, ''::bytea) AS slots
         FROM memories m
         WHERE m.tenant = $1 AND m.layer = $2 AND m.dimensions = $3 AND m.code IS NOT NULL`,
        [scope.tenant, scope.layer, scope.dimensions],
      ),
    );
    const row = rows[0];
    const bytes = row?.slots ?? Buffer.alloc(0);
    // A copy that starts at a multiple of 4 (word reads), with each seq turned little-endian
    // (float8send writes network byte order).
    const slots = new Uint8Array(bytes.byteLength);
    slots.set(bytes);
    const size = slotBytes(scope.dimensions);
    for (let offset = 0; offset < slots.byteLength; offset += size)
      slots.subarray(offset, offset + 8).reverse();
    return { version: row?.version ?? -1, slots };
  }

  #store(key: string, entry: { version: number; slots: Uint8Array }): void {
    const previous = this.#scopes.get(key);
    if (previous) this.#bytes -= previous.slots.byteLength;
    if (this.#bytes + entry.slots.byteLength > CACHE_BYTES) {
      this.#scopes.clear();
      this.#bytes = 0;
    }
    this.#scopes.set(key, entry);
    this.#bytes += entry.slots.byteLength;
  }
}

/** The seqs among these whose memory passes the filter. */
async function passingCandidates(
  db: Queryable,
  seqs: readonly number[],
  filter: MemoryFilter,
): Promise<number[]> {
  const params = new SqlParams();
  const candidates = params.add(seqs);
  const where = memoryFilterSql(filter, params);
  const { rows } = await db.query<{ seq: number }>(
    prepared(
      `SELECT m.seq::float8 AS seq FROM memories m WHERE m.seq = ANY(${candidates}::bigint[]) AND ${where}`,
      params.values,
    ),
  );
  return rows.map((row) => row.seq);
}

/** Exact cosine similarity of the query to these memories (those passing `filter`, if given). */
async function rescore(
  db: Queryable,
  seqs: readonly number[],
  vector: Float32Array,
  filter?: MemoryFilter,
): Promise<MemoryHit[]> {
  const params = new SqlParams();
  const candidates = params.add(seqs);
  const dimensions = params.add(vector.length);
  const where = filter ? memoryFilterSql(filter, params) : 'true';
  const { rows } = await db.query<{ id: string; embedding: Buffer }>(
    prepared(
      `SELECT m.id, m.embedding FROM memories m
     WHERE m.seq = ANY(${candidates}::bigint[]) AND m.dimensions = ${dimensions} AND ${where}`,
      params.values,
    ),
  );
  const targetNorm = norm(vector);
  return rows.map((row) => {
    const stored = toVector(row.embedding);
    let dot = 0;
    for (let i = 0; i < stored.length; i++) dot += (stored[i] as number) * (vector[i] as number);
    const denominator = norm(stored) * targetNorm;
    // A zero vector has no direction: scored 0, as the SQLite store does.
    return { id: row.id, score: denominator === 0 ? 0 : dot / denominator };
  });
}

/** How many of the best estimates to re-score for the `limit` nearest of `population` (as SQLite). */
function poolSize(limit: number, population: number): number {
  const pool = Math.max(MIN_POOL, Math.ceil(POOL_SCALE * Math.pow(limit, 0.6) * Math.cbrt(population)));
  return Math.min(population, pool);
}

/** Whether every component is a finite number. */
export function allFinite(vector: Float32Array): boolean {
  for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i])) return false;
  return true;
}
