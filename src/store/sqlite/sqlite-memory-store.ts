import type Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { AgentdError } from '../../core/errors.js';
import type {
  MemoryFilter,
  MemoryHit,
  MemoryLayer,
  MemoryPatch,
  MemoryRecord,
  MemoryStats,
  MemoryStore,
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

// sqlite-vec's KNN filters only on the partition key (tenant) and metadata (layer); the other
// filters are applied after it, so it is asked for this many times the wanted hits.
const OVERSAMPLE = 4;
// sqlite-vec's upper bound on k.
const MAX_K = 4096;

/**
 * The MemoryStore on SQLite: a `memories` table, an FTS5 index kept in step by triggers, and a
 * sqlite-vec index per embedding dimension when the extension loads (else an exact scan over the
 * stored Float32 vectors).
 */
export class SqliteMemoryStore implements MemoryStore {
  readonly vectorIndex: 'sqlite-vec' | 'exact-scan';
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #vectorTables = new Set<number>();

  constructor(db: Database.Database, options: SqliteMemoryStoreOptions = {}) {
    this.#db = db;
    this.vectorIndex =
      options.vectorIndex !== 'exact-scan' && loadVectorExtension(db) ? 'sqlite-vec' : 'exact-scan';
    if (this.vectorIndex === 'sqlite-vec') {
      for (const { name } of db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'memory_vectors_%'")
        .all() as { name: string }[]) {
        const dimensions = Number(name.slice('memory_vectors_'.length));
        if (Number.isInteger(dimensions)) this.#vectorTables.add(dimensions);
      }
    }
  }

  async add(record: MemoryRecord): Promise<void> {
    validate(record);
    const write = this.#db.transaction(() => {
      if (this.#prepare('SELECT 1 FROM memories WHERE id = ?').get(record.id)) {
        throw new AgentdError({
          code: 'memory.exists',
          category: 'user',
          message: `a memory with id ${record.id} already exists`,
        });
      }
      const { lastInsertRowid } = this.#prepare(
        `
        INSERT INTO memories (id, layer, tenant, team, agent, task_id, content, embedding, embedding_model,
          importance, created_at, last_accessed_at, access_count, valid_from, valid_to, superseded_by,
          provenance, tags)
        VALUES (@id, @layer, @tenant, @team, @agent, @task_id, @content, @embedding, @embedding_model,
          @importance, @created_at, @last_accessed_at, @access_count, @valid_from, @valid_to, @superseded_by,
          @provenance, @tags)
      `,
      ).run(toRow(record));
      if (record.embedding) this.#indexVector(Number(lastInsertRowid), record);
    });
    write();
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
    const write = this.#db.transaction((): MemoryRecord | null => {
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
      this.#unindexVector(row.rowid);
      if (next.embedding) this.#indexVector(row.rowid, next);
      return next;
    });
    return write();
  }

  async forget(id: string, tenant: string): Promise<boolean> {
    const remove = this.#db.transaction(() => {
      const row = this.#prepare('SELECT rowid FROM memories WHERE id = ? AND tenant = ?').get(id, tenant) as
        { rowid: number } | undefined;
      if (!row) return false;
      this.#unindexVector(row.rowid);
      // The FTS5 row goes with it (trigger memories_fts_delete).
      this.#prepare('DELETE FROM memories WHERE rowid = ?').run(row.rowid);
      return true;
    });
    return remove();
  }

  async searchText(query: { text: string; filter: MemoryFilter; limit: number }): Promise<MemoryHit[]> {
    const match = ftsQuery(query.text);
    if (!match) return [];
    const where = filterSql(query.filter, { candidates: true });
    // bm25() is lower for better matches; its negation is reported so that higher is better.
    const rows = this.#prepare(
      `
      SELECT m.id AS id, -bm25(memories_fts) AS score
      FROM memories_fts JOIN memories m ON m.rowid = memories_fts.rowid
      WHERE memories_fts MATCH @match AND ${where.sql}
      ORDER BY bm25(memories_fts) LIMIT @limit
    `,
    ).all({ ...where.params, match, limit: query.limit }) as MemoryHit[];
    return rows;
  }

  async searchVector(query: {
    vector: Float32Array;
    filter: MemoryFilter;
    limit: number;
  }): Promise<MemoryHit[]> {
    if (query.limit <= 0) return [];
    return this.vectorIndex === 'sqlite-vec' ? this.#searchIndexed(query) : this.#searchExact(query);
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
      "SELECT COALESCE(embedding_model, 'none') AS model, COUNT(*) AS n FROM memories WHERE tenant = ? GROUP BY 1",
    ).all(tenant) as { model: string; n: number }[];
    return {
      layers,
      superseded,
      embeddingModels: Object.fromEntries(models.map((row) => [row.model, row.n])),
    };
  }

  async tenants(): Promise<string[]> {
    return (
      this.#prepare('SELECT DISTINCT tenant FROM memories ORDER BY tenant').all() as { tenant: string }[]
    ).map((row) => row.tenant);
  }

  #searchIndexed(query: { vector: Float32Array; filter: MemoryFilter; limit: number }): MemoryHit[] {
    const dimensions = query.vector.length;
    if (!this.#vectorTables.has(dimensions)) return [];
    const layers = query.filter.layers;
    const k = Math.min(MAX_K, query.limit * OVERSAMPLE);
    const where = filterSql(query.filter, { candidates: true });
    // KNN in the tenant's partition (and layers), then the remaining filters on the joined rows.
    const rows = this.#prepare(
      `
      WITH nearest AS (
        SELECT rowid, distance FROM memory_vectors_${dimensions}
        WHERE embedding MATCH @vector AND k = @k AND tenant = @tenant
          ${layers?.length ? `AND layer IN (${layers.map((_, i) => `@knnLayer${i}`).join(', ')})` : ''}
      )
      SELECT m.id AS id, 1 - nearest.distance AS score
      FROM nearest JOIN memories m ON m.rowid = nearest.rowid
      WHERE ${where.sql}
      ORDER BY nearest.distance LIMIT @limit
    `,
    ).all({
      ...where.params,
      ...Object.fromEntries((layers ?? []).map((layer, i) => [`knnLayer${i}`, layer])),
      vector: query.vector,
      k,
      limit: query.limit,
    }) as MemoryHit[];
    return rows;
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

  #indexVector(rowid: number, record: MemoryRecord): void {
    if (this.vectorIndex !== 'sqlite-vec' || !record.embedding) return;
    const dimensions = record.embedding.length;
    if (!this.#vectorTables.has(dimensions)) {
      // One table per dimension: a change of embedding model (and size) gets its own index.
      this.#db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS memory_vectors_${dimensions} USING vec0(
          tenant TEXT PARTITION KEY, layer TEXT, embedding FLOAT[${dimensions}] DISTANCE_METRIC=cosine
        )
      `);
      this.#vectorTables.add(dimensions);
    }
    this.#prepare(
      `INSERT INTO memory_vectors_${dimensions} (rowid, tenant, layer, embedding) VALUES (?, ?, ?, ?)`,
    ).run(BigInt(rowid), record.tenant, record.layer, record.embedding);
  }

  #unindexVector(rowid: number): void {
    for (const dimensions of this.#vectorTables) {
      this.#prepare(`DELETE FROM memory_vectors_${dimensions} WHERE rowid = ?`).run(BigInt(rowid));
    }
  }

  /** Statements are cached by their text: filters produce a handful of distinct shapes. */
  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** Loads sqlite-vec into the connection; false (and nothing else changes) when it cannot load. */
function loadVectorExtension(db: Database.Database): boolean {
  try {
    sqliteVec.load(db);
    return true;
  } catch {
    // No prebuilt extension for this platform: the exact scan serves instead (the store reports it).
    return false;
  }
}

/**
 * The WHERE clause (on alias `m`) and parameters of a filter. `candidates`: the rows come from a
 * search index joined by rowid, so the filter must not make SQLite scan the scope index instead.
 */
function filterSql(
  filter: MemoryFilter,
  { candidates = false }: { candidates?: boolean } = {},
): { sql: string; params: Record<string, unknown> } {
  const clauses = [candidates ? '+m.tenant = @tenant' : 'm.tenant = @tenant'];
  const params: Record<string, unknown> = { tenant: filter.tenant };
  if (filter.layers?.length) {
    clauses.push(
      `${candidates ? '+' : ''}m.layer IN (${filter.layers.map((_, i) => `@layer${i}`).join(', ')})`,
    );
    filter.layers.forEach((layer, i) => (params[`layer${i}`] = layer));
  }
  for (const [key, column] of [
    ['team', 'team'],
    ['agent', 'agent'],
    ['taskId', 'task_id'],
  ] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    if (value === null) clauses.push(`m.${column} IS NULL`);
    else {
      clauses.push(`m.${column} = @${key}`);
      params[key] = value;
    }
  }
  (filter.tags ?? []).forEach((tag, i) => {
    clauses.push(`EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = @tag${i})`);
    params[`tag${i}`] = tag;
  });
  if (filter.createdAfter !== undefined) {
    clauses.push('m.created_at >= @createdAfter');
    params['createdAfter'] = filter.createdAfter;
  }
  if (filter.createdBefore !== undefined) {
    clauses.push('m.created_at < @createdBefore');
    params['createdBefore'] = filter.createdBefore;
  }
  if (!filter.includeSuperseded) clauses.push('m.valid_to IS NULL');
  return { sql: clauses.join(' AND '), params };
}

/**
 * The words of a free-text query as an FTS5 OR query of quoted terms: user text must never be
 * parsed as FTS5 syntax (a stray quote or `NEAR` would be an error or a different query).
 */
function ftsQuery(text: string): string | undefined {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  if (!words) return undefined;
  return [...new Set(words)].map((word) => `"${word}"`).join(' OR ');
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
          : record.embedding && !record.embedding.every(Number.isFinite)
            ? 'embedding must hold finite numbers'
            : undefined;
  if (problem) {
    throw new AgentdError({
      code: 'memory.invalid',
      category: 'user',
      message: `memory ${record.id}: ${problem}`,
      details: { id: record.id },
    });
  }
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

/** A copy of a BLOB's bytes as a Float32Array (a Buffer's offset need not be 4-byte aligned). */
function toVector(blob: Buffer): Float32Array {
  return new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
}

function norm(vector: Float32Array): number {
  let total = 0;
  for (const value of vector) total += value * value;
  return Math.sqrt(total);
}
