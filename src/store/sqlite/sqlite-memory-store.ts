import type Database from 'better-sqlite3';
import { filterSql } from './memory-filter-sql.js';
import { narrowsScope } from '../narrows-scope.js';
import { isUniqueViolation } from './sqlite-errors.js';
import { MemoryTextSearch } from './sqlite-memory-text-search.js';
import { VectorChunks } from './sqlite-vector-chunks.js';
import { statementCache } from './statement-cache.js';
import type { IndexedVector } from './sqlite-vector-chunks.js';
import { estimateSimilarities, norm, takeBest, toVector } from '../vector-codes.js';
import * as sqliteVec from 'sqlite-vec';
import { AgentdError } from '../../core/errors.js';
import '../../memory/memory-error-codes.js';
import type {
  MemoryChanges,
  MemoryFilter,
  MemoryHit,
  MemoryLayer,
  MemoryPatch,
  MemoryRecord,
  MemoryStats,
  MemoryStore,
  VectorRequest,
} from '../memory-store.js';

interface MemoryRow {
  rowid: number;
  id: string;
  layer: string;
  tenant: string;
  team: string | null;
  agent: string | null;
  task_id: string | null;
  content: string;
  embedding: Buffer | null;
  embedding_model: string | null;
  importance: number;
  created_at: number;
  last_accessed_at: number;
  access_count: number;
  valid_from: number;
  valid_to: number | null;
  superseded_by: string | null;
  provenance: string;
  tags: string;
}

/** Options of {@link SqliteMemoryStore}. */
export interface SqliteMemoryStoreOptions {
  /** `exact-scan` skips the sqlite-vec extension even when it loads (tests of the fallback). */
  vectorIndex?: 'auto' | 'exact-scan';
}

// The vector index (hand-written; its storage is VectorChunks): every embedding as a 2-bit code per
// dimension, packed in chunks per (dimensions, tenant, layer). A search scores every code in scope
// against the query (asymmetric distance: the query stays float), takes the best as candidates,
// checks the filter on them, and re-scores the survivors exactly with sqlite-vec's cosine distance on the stored float vectors. sqlite-vec's own
// bit-vector KNN was measured and not used: its hamming distance between two binarized vectors
// misses neighbours (recall@10 0.74 with 1,000 candidates of 20,000), and its top-k selection
// grows with k (14–40 ms for k = 500–1,000).
// How many candidates are re-scored exactly (see poolSize): at least MIN_POOL, so that a small
// store is searched exactly in effect, and POOL_SCALE × limit^0.6 × population^(1/3) above that.
const MIN_POOL = 256;
const POOL_SCALE = 2.5;

/**
 * The MemoryStore on SQLite: a `memories` table, an FTS5 index kept in step by triggers, and a
 * quantized vector index searched with exact re-scoring through the sqlite-vec extension when it
 * loads (else an exact scan over the stored Float32 vectors).
 */
export class SqliteMemoryStore implements MemoryStore {
  readonly vectorIndex: 'sqlite-vec' | 'exact-scan';
  /** The vector index's version, or why sqlite-vec is not in use. */
  readonly vectorIndexDetail: string;
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;
  readonly #chunks: VectorChunks;
  readonly #text: MemoryTextSearch;
  // One transaction wrapper for every write (better-sqlite3 builds a new one per transaction() call).
  readonly #transaction: (write: () => unknown) => unknown;

  constructor(db: Database.Database, options: SqliteMemoryStoreOptions = {}) {
    this.#db = db;
    this.#transaction = db.transaction((write: () => unknown) => write());
    this.#prepare = statementCache(db);
    this.#chunks = new VectorChunks(db);
    this.#text = new MemoryTextSearch(db);
    const loaded =
      options.vectorIndex === 'exact-scan' ? { detail: 'exact scan asked for' } : loadVectorExtension(db);
    this.vectorIndex = loaded.version ? 'sqlite-vec' : 'exact-scan';
    this.vectorIndexDetail = loaded.version ? `sqlite-vec ${loaded.version}` : loaded.detail;
    this.#upgradeVectorIndex();
  }

  async add(record: MemoryRecord): Promise<void> {
    this.#write(() => this.#add(record));
  }

  async addMany(records: readonly MemoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.#write(() => {
      for (const record of records) this.#add(record);
    });
  }

  async get(id: string, tenant: string): Promise<MemoryRecord | null> {
    const row = this.#prepare('SELECT * FROM memories WHERE id = ? AND tenant = ?').get(id, tenant) as
      MemoryRow | undefined;
    return row ? toRecord(row) : null;
  }

  async getMany(ids: readonly string[], tenant: string): Promise<MemoryRecord[]> {
    if (ids.length === 0) return [];
    // One cached statement for any number of ids: they are passed as a JSON array.
    const rows = this.#prepare(
      // `+tenant`: look rows up by id, not by scanning the tenant's index.
      'SELECT * FROM memories WHERE +tenant = ? AND id IN (SELECT value FROM json_each(?))',
    ).all(tenant, JSON.stringify(ids)) as MemoryRow[];
    const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async update(id: string, tenant: string, patch: MemoryPatch): Promise<MemoryRecord | null> {
    return this.#write(() => this.#update(id, tenant, patch));
  }

  async forget(id: string, tenant: string): Promise<boolean> {
    return this.#write(() => this.#forget(id, tenant));
  }

  async apply(tenant: string, changes: MemoryChanges): Promise<(MemoryRecord | null)[]> {
    for (const record of changes.add ?? []) {
      if (record.tenant !== tenant) {
        throw new AgentdError({
          code: 'memory.invalid',
          message: `memory ${record.id} is in tenant '${record.tenant}', not '${tenant}'`,
        });
      }
    }
    return this.#write(() => {
      for (const record of changes.add ?? []) this.#add(record);
      const updated = (changes.update ?? []).map(({ id, patch }) => this.#update(id, tenant, patch));
      for (const id of changes.forget ?? []) this.#forget(id, tenant);
      return updated;
    });
  }

  /**
   * Runs a write in a transaction, then tells the vector chunks how it ended, so that their cache
   * takes what was committed and nothing that was not.
   */
  #write<T>(write: () => T): T {
    let result: T;
    try {
      result = this.#transaction(write) as T;
    } catch (error) {
      this.#chunks.settle('rolled-back');
      throw error;
    }
    this.#chunks.settle(this.#db.inTransaction ? 'inside-another-transaction' : 'committed');
    return result;
  }

  #add(record: MemoryRecord): void {
    validate(record);
    let rowid: number;
    try {
      rowid = Number(
        this.#prepare(
          `
          INSERT INTO memories (id, layer, tenant, team, agent, task_id, content, embedding, embedding_model,
            importance, created_at, last_accessed_at, access_count, valid_from, valid_to, superseded_by,
            provenance, tags)
          VALUES (@id, @layer, @tenant, @team, @agent, @task_id, @content, @embedding, @embedding_model,
            @importance, @created_at, @last_accessed_at, @access_count, @valid_from, @valid_to, @superseded_by,
            @provenance, @tags)
        `,
        ).run(toRow(record)).lastInsertRowid,
      );
    } catch (error) {
      // The only unique key of a new row is its id (the rowid is SQLite's to choose).
      if (!isUniqueViolation(error)) throw error;
      throw new AgentdError({
        code: 'memory.exists',
        message: `a memory with id ${record.id} already exists`,
        cause: error,
      });
    }
    this.#text.noteChange();
    if (record.embedding) this.#chunks.index(rowid, record);
  }

  #update(id: string, tenant: string, patch: MemoryPatch): MemoryRecord | null {
    const row = this.#prepare('SELECT * FROM memories WHERE id = ? AND tenant = ?').get(id, tenant) as
      MemoryRow | undefined;
    if (!row) return null;
    const next: MemoryRecord = { ...toRecord(row), ...patch };
    validate(next);
    this.#prepare(
      `
      UPDATE memories SET layer = @layer, content = @content, embedding = @embedding,
        embedding_model = @embedding_model, importance = @importance, valid_to = @valid_to,
        superseded_by = @superseded_by, tags = @tags
      WHERE rowid = @rowid
    `,
    ).run({ ...toRow(next), rowid: row.rowid });
    if (next.content !== row.content) this.#text.noteChange();
    // The vector index is keyed by layer and holds a code of the embedding; other fields (a
    // supersession, a re-weighting) leave it alone.
    if (patch.embedding !== undefined || next.layer !== row.layer) {
      this.#chunks.unindex({ ...row, bytes: row.embedding?.byteLength ?? null });
      if (next.embedding) this.#chunks.index(row.rowid, next);
    }
    return next;
  }

  #forget(id: string, tenant: string): boolean {
    const row = this.#prepare(
      `SELECT rowid, tenant, layer, length(embedding) AS bytes, valid_to, superseded_by
       FROM memories WHERE id = ? AND tenant = ?`,
    ).get(id, tenant) as
      (IndexedVector & { valid_to: number | null; superseded_by: string | null }) | undefined;
    if (!row) return false;
    this.#chunks.unindex(row);
    // The FTS5 row goes with it (trigger memories_fts_delete).
    this.#prepare('DELETE FROM memories WHERE rowid = ?').run(row.rowid);
    this.#text.noteChange();
    // No memory points at one that is gone: what it had superseded now ends where it ended and is
    // superseded by its successor, or, when it was current, is current again.
    this.#prepare(
      'UPDATE memories SET valid_to = @validTo, superseded_by = @successor WHERE superseded_by = @id AND tenant = @tenant',
    ).run({ id, tenant, validTo: row.valid_to, successor: row.superseded_by });
    return true;
  }

  async searchText(query: { text: string; filter: MemoryFilter; limit: number }): Promise<MemoryHit[]> {
    return this.#text.search(query);
  }

  async searchVector(query: {
    vector: Float32Array;
    filter: MemoryFilter;
    limit: number;
  }): Promise<MemoryHit[]> {
    if (query.limit <= 0) return [];
    return this.vectorIndex === 'sqlite-vec' ? this.#searchQuantized(query) : this.#searchExact(query);
  }

  async touch(ids: readonly string[], tenant: string, at: number): Promise<void> {
    const statement = this.#prepare(
      'UPDATE memories SET access_count = access_count + 1, last_accessed_at = ? WHERE id = ? AND tenant = ?',
    );
    this.#db.transaction(() => {
      for (const id of ids) statement.run(at, id, tenant);
    })();
  }

  async count(filter: MemoryFilter): Promise<number> {
    const where = filterSql(filter);
    const row = this.#prepare(`SELECT COUNT(*) AS n FROM memories m WHERE ${where.sql}`).get(
      where.params,
    ) as {
      n: number;
    };
    return row.n;
  }

  async list(query: { filter: MemoryFilter; limit: number; after?: string }): Promise<MemoryRecord[]> {
    const where = filterSql(query.filter);
    const rows = this.#prepare(
      `SELECT * FROM memories m WHERE ${where.sql} AND m.id > @after ORDER BY m.id LIMIT @limit`,
    ).all({ ...where.params, after: query.after ?? '', limit: query.limit }) as MemoryRow[];
    return rows.map(toRecord);
  }

  async stats(tenant: string): Promise<MemoryStats> {
    const layers: Record<MemoryLayer, number> = { working: 0, episodic: 0, semantic: 0, procedural: 0 };
    let superseded = 0;
    const counts = this.#prepare(
      'SELECT layer, valid_to IS NOT NULL AS superseded, COUNT(*) AS n FROM memories WHERE tenant = ? GROUP BY 1, 2',
    ).all(tenant) as { layer: MemoryLayer; superseded: number; n: number }[];
    for (const row of counts) {
      if (row.superseded) superseded += row.n;
      else layers[row.layer] = row.n;
    }
    const models = this.#prepare(
      // A memory awaiting its vector has none yet.
      "SELECT CASE WHEN embedding IS NULL THEN 'none' ELSE embedding_model END AS model, COUNT(*) AS n FROM memories WHERE tenant = ? GROUP BY 1",
    ).all(tenant) as { model: string; n: number }[];
    return {
      layers,
      superseded,
      embeddingModels: Object.fromEntries(models.map((row) => [row.model, row.n])),
    };
  }

  async awaitingVectors(limit: number): Promise<VectorRequest[]> {
    return (
      this.#prepare(
        `SELECT id, tenant, content, embedding_model FROM memories INDEXED BY memories_awaiting_vector
         WHERE embedding IS NULL AND embedding_model IS NOT NULL ORDER BY created_at, id LIMIT ?`,
      ).all(limit) as { id: string; tenant: string; content: string; embedding_model: string }[]
    ).map((row) => ({
      id: row.id,
      tenant: row.tenant,
      content: row.content,
      embeddingModel: row.embedding_model,
    }));
  }

  async tenants(): Promise<string[]> {
    return (
      this.#prepare('SELECT DISTINCT tenant FROM memories ORDER BY tenant').all() as { tenant: string }[]
    ).map((row) => row.tenant);
  }

  /**
   * The quantized search: an estimate for every code in scope, the best estimates as candidates
   * (taken in growing rounds while the filter rejects too many of them), then exact cosine
   * similarity for the candidates that pass.
   */
  #searchQuantized(query: { vector: Float32Array; filter: MemoryFilter; limit: number }): MemoryHit[] {
    const { vector, filter, limit } = query;
    // A query with NaN or infinite components has no nearest neighbours.
    if (!allFinite(vector)) return [];
    const layers = filter.layers?.length ? new Set(filter.layers) : LAYERS;
    const chunks = [...layers].flatMap((layer) =>
      this.#chunks.slotsOf({ dimensions: vector.length, tenant: filter.tenant, layer }),
    );
    const estimates = estimateSimilarities(vector, chunks);
    const count = estimates.scores.length;
    if (count === 0) return [];
    // Candidates are taken in rounds until a pool sized for the memories that pass the filter has
    // passed it: a selective filter (one agent among many) passes few of the best estimates, and
    // the re-scored set should reach as deep within the filter as without one. When the filter
    // narrows no further than the scope the codes were read for, nearly all pass and each round is
    // re-scored at once; otherwise the filter is checked first on memories_search_filter, which is
    // cheaper than reading a row that fails it.
    const narrowing = narrowsScope(filter);
    const hits: MemoryHit[] = [];
    const passing: number[] = [];
    let taken = 0;
    let wanted = poolSize(limit, count);
    for (let round = wanted; taken < count;) {
      const best = takeBest(estimates.scores, Math.min(round, count - taken));
      taken += best.length;
      const rowids = best.map(estimates.rowidAt);
      if (narrowing) passing.push(...this.#passingCandidates(rowids, filter));
      else hits.push(...this.#rescore(rowids, vector, filter));
      const found = narrowing ? passing.length : hits.length;
      if (found === 0) {
        // Nothing has passed yet: look four times further.
        round *= 4;
        continue;
      }
      // About found / taken of the scope passes the filter: the pool is sized for that many, and
      // the next round for what is still missing at that rate.
      const rate = found / taken;
      wanted = poolSize(limit, Math.max(found, Math.round(rate * count)));
      if (found >= wanted) break;
      round = Math.ceil(((wanted - found) / rate) * 1.25);
    }
    if (narrowing && passing.length > 0) hits.push(...this.#rescore(passing, vector));
    return hits.sort((a, b) => b.score - a.score).slice(0, limit);
  }

  /** Exact cosine similarity of the query to these memories (those passing `filter`, if given). */
  #rescore(rowids: readonly number[], vector: Float32Array, filter?: MemoryFilter): MemoryHit[] {
    const where = filter ? filterSql(filter, { candidates: true }) : { sql: '1', params: {} };
    // vec_distance_cosine is NULL for a zero vector; the exact scan scores it 0 too.
    return this.#prepare(
      `
      SELECT m.id AS id, COALESCE(1 - vec_distance_cosine(m.embedding, @vector), 0) AS score
      FROM json_each(@rowids) AS c CROSS JOIN memories AS m ON m.rowid = c.value
      WHERE length(m.embedding) = @bytes AND ${where.sql}
    `,
    ).all({
      ...where.params,
      vector,
      rowids: JSON.stringify(rowids),
      bytes: vector.byteLength,
    }) as MemoryHit[];
  }

  /** The rowids among these whose memory passes the filter, read from memories_search_filter. */
  #passingCandidates(rowids: readonly number[], filter: MemoryFilter): number[] {
    const where = filterSql(filter);
    const rows = this.#prepare(
      `
      SELECT m.rowid AS rowid
      FROM json_each(@rowids) AS c CROSS JOIN memories AS m INDEXED BY memories_search_filter ON m.rowid = c.value
      WHERE ${where.sql}
    `,
    ).all({ ...where.params, rowids: JSON.stringify(rowids) }) as { rowid: number }[];
    return rows.map((row) => row.rowid);
  }

  /** Cosine similarity against every stored vector that passes the filter. */
  #searchExact(query: { vector: Float32Array; filter: MemoryFilter; limit: number }): MemoryHit[] {
    const where = filterSql(query.filter);
    const rows = this.#prepare(
      `SELECT m.id AS id, m.embedding AS embedding FROM memories m WHERE m.embedding IS NOT NULL AND ${where.sql}`,
    ).all(where.params) as { id: string; embedding: Buffer }[];
    const target = query.vector;
    const targetNorm = norm(target);
    const hits: MemoryHit[] = [];
    for (const row of rows) {
      const vector = toVector(row.embedding);
      if (vector.length !== target.length) continue;
      let dot = 0;
      for (let i = 0; i < vector.length; i++) dot += (vector[i] as number) * (target[i] as number);
      const denominator = norm(vector) * targetNorm;
      hits.push({ id: row.id, score: denominator === 0 ? 0 : dot / denominator });
    }
    return hits.sort((a, b) => b.score - a.score).slice(0, query.limit);
  }

  /**
   * Brings a database written before the quantized index up to date: builds the codes from the
   * stored embeddings when the migration asked for it, and drops the sqlite-vec tables they replace
   * (dropping a vec0 table needs the extension; without it they stay, unused, until an open with it).
   */
  #upgradeVectorIndex(): void {
    this.#chunks.rebuildIfRequested();
    if (this.vectorIndex === 'sqlite-vec') {
      const legacy = this.#db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'memory_vectors_%' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
        )
        .all() as { name: string }[];
      for (const { name } of legacy) this.#db.exec(`DROP TABLE "${name}"`);
    }
  }
}

/** Loads sqlite-vec into the connection; false (and nothing else changes) when it cannot load. */
function loadVectorExtension(db: Database.Database): { version?: string; detail: string } {
  try {
    sqliteVec.load(db);
    const row = db.prepare('SELECT vec_version() AS version').get() as { version: string };
    return { version: row.version, detail: `sqlite-vec ${row.version}` };
  } catch (error) {
    // No prebuilt extension for this platform: the exact scan serves instead (the store reports why).
    return { detail: `sqlite-vec did not load: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * How many of the best estimates to re-score for the `limit` nearest of `population` memories. The
 * curve was fitted on random Gaussian vectors, the hardest case for quantization (real embeddings
 * have far more distinct neighbours), to find ≥ 99.5% of the true nearest: 250 of 1,250 and 400 of
 * 5,000 for 50, 150 of 5,000 and 250 of 20,000 for 10, 600 of 20,000 for 50 (99.4%).
 */
function poolSize(limit: number, population: number): number {
  const pool = Math.max(MIN_POOL, Math.ceil(POOL_SCALE * Math.pow(limit, 0.6) * Math.cbrt(population)));
  return Math.min(population, pool);
}

const LAYERS: ReadonlySet<string> = new Set<MemoryLayer>(['working', 'episodic', 'semantic', 'procedural']);

function validate(record: MemoryRecord): void {
  const problem = !LAYERS.has(record.layer)
    ? `layer must be one of ${[...LAYERS].join(', ')}`
    : !(record.importance >= 0 && record.importance <= 1)
      ? 'importance must be within 0–1'
      : record.content.trim() === ''
        ? 'content must not be empty'
        : record.tenant === ''
          ? 'tenant must not be empty'
          : record.embedding && !allFinite(record.embedding)
            ? 'embedding must hold finite numbers'
            : undefined;
  if (problem) {
    throw new AgentdError({
      code: 'memory.invalid',
      message: `memory ${record.id}: ${problem}`,
      details: { id: record.id },
    });
  }
}

/** Whether every component is a finite number (a loop: `every` with a callback costs 10 µs at 512). */
function allFinite(vector: Float32Array): boolean {
  for (let i = 0; i < vector.length; i++) if (!Number.isFinite(vector[i])) return false;
  return true;
}

function toRow(record: MemoryRecord): Omit<MemoryRow, 'rowid'> {
  return {
    id: record.id,
    layer: record.layer,
    tenant: record.tenant,
    team: record.team,
    agent: record.agent,
    task_id: record.taskId,
    content: record.content,
    embedding: record.embedding
      ? Buffer.from(record.embedding.buffer, record.embedding.byteOffset, record.embedding.byteLength)
      : null,
    embedding_model: record.embeddingModel,
    importance: record.importance,
    created_at: record.createdAt,
    last_accessed_at: record.lastAccessedAt,
    access_count: record.accessCount,
    valid_from: record.validFrom,
    valid_to: record.validTo,
    superseded_by: record.supersededBy,
    provenance: JSON.stringify(record.provenance),
    tags: JSON.stringify(record.tags),
  };
}

function toRecord(row: MemoryRow): MemoryRecord {
  return {
    id: row.id,
    layer: row.layer as MemoryLayer,
    tenant: row.tenant,
    team: row.team,
    agent: row.agent,
    taskId: row.task_id,
    content: row.content,
    embedding: row.embedding ? toVector(row.embedding) : null,
    embeddingModel: row.embedding_model,
    importance: row.importance,
    createdAt: row.created_at,
    lastAccessedAt: row.last_accessed_at,
    accessCount: row.access_count,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    supersededBy: row.superseded_by,
    provenance: JSON.parse(row.provenance) as MemoryRecord['provenance'],
    tags: JSON.parse(row.tags) as string[],
  };
}
