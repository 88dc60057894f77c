import type pg from 'pg';
import { AgentdError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import '../../memory/memory-error-codes.js';
import { memoryMigrations } from './memory-migrations.js';
import { migratePostgres } from './pg-migrations.js';
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
import { encodeVector, toVector } from '../vector-codes.js';
import { documentTerms } from './fts5-terms.js';
import { memoryFilterSql, prepared, SqlParams } from './pg-memory-filter.js';
import { StatisticsChanges } from './pg-memory-statistics.js';
import { searchMemoryText } from './pg-memory-text-search.js';
import type { Queryable } from './pg-memory-text-search.js';
import { allFinite, searchMemoryVectors, VectorCodeCache } from './pg-memory-vector-search.js';

// The columns a MemoryRecord is read from (not the search columns).
const RECORD_COLUMNS = `m.id, m.layer, m.tenant, m.team, m.agent, m.task_id, m.content, m.embedding,
  m.embedding_model, m.importance, m.created_at, m.last_accessed_at, m.access_count, m.valid_from,
  m.valid_to, m.superseded_by, m.provenance, m.tags`;

interface MemoryRow {
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
  access_count: string;
  valid_from: number;
  valid_to: number | null;
  superseded_by: string | null;
  provenance: MemoryRecord['provenance'];
  tags: string[];
}

/** Whether pgvector is installed in the database, or at least available to install. */
export interface PgvectorDetection {
  installed: boolean;
  available: boolean;
}

/** Options of {@link openPostgresMemoryStore}. */
export interface PostgresMemoryStoreOptions {
  /** A pool whose connections see agentd's schema (search_path set); the memory migrations are applied here. */
  pool: pg.Pool;
  logger?: Logger;
}

/**
 * Opens the MemoryStore on Postgres: applies its migrations (component `memory`), detects pgvector and logs which vector search is used (always
 * the quantized scan for now: the pgvector path is not written, see ADR 0083).
 */
export async function openPostgresMemoryStore(
  options: PostgresMemoryStoreOptions,
): Promise<PostgresMemoryStore> {
  await migratePostgres(options.pool, { component: 'memory', migrations: memoryMigrations });
  const pgvector = await detectPgvector(options.pool);
  (options.logger ?? silentLogger).info(
    pgvector.installed || pgvector.available
      ? 'memory: pgvector is present but not used; vector search scans quantized codes and re-scores exactly'
      : 'memory: pgvector is not available; vector search scans quantized codes and re-scores exactly',
    { vectorIndex: 'quantized-scan', pgvector },
  );
  return new PostgresMemoryStore(options.pool, pgvector);
}

/** Whether the `vector` extension is installed in the database, or available to CREATE EXTENSION. */
export async function detectPgvector(db: Queryable): Promise<PgvectorDetection> {
  const { rows } = await db.query<PgvectorDetection>(
    prepared(
      `
    SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed,
      EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available
  `,
      [],
    ),
  );
  return rows[0] as PgvectorDetection;
}

/**
 * The MemoryStore on Postgres, with the SQLite store's semantics: the same FTS5 terms and BM25
 * scores (from term statistics kept in tables, pg-memory-text-search.ts) over a GIN-indexed
 * tsvector, and the same quantized vector search with exact re-scoring (pg-memory-vector-search.ts).
 * Every write is one transaction; the text statistics are written last in it.
 */
export class PostgresMemoryStore implements MemoryStore {
  readonly vectorIndex = 'quantized-scan' as const;
  readonly pgvector: PgvectorDetection;
  readonly #pool: pg.Pool;
  // The vector codes of the scopes searched, kept while their version says they are current.
  readonly #codes = new VectorCodeCache();

  constructor(pool: pg.Pool, pgvector: PgvectorDetection = { installed: false, available: false }) {
    this.#pool = pool;
    this.pgvector = pgvector;
  }

  async add(record: MemoryRecord): Promise<void> {
    // One statement, atomic without a transaction around it: the row and its text statistics.
    const params = new SqlParams();
    const stats = new StatisticsChanges();
    const insert = insertSql(record, params, stats);
    const ctes = stats.sql(params);
    await runInsert(this.#pool, `WITH inserted AS (${insert}), ${ctes.join(', ')} SELECT 1`, params, record);
  }

  async addMany(records: readonly MemoryRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#write(async (client, stats) => {
      for (const record of records) await this.#add(client, stats, record);
    });
  }

  async get(id: string, tenant: string): Promise<MemoryRecord | null> {
    if (hasNul(id, tenant)) return null;
    const { rows } = await this.#pool.query<MemoryRow>(
      prepared(`SELECT ${RECORD_COLUMNS} FROM memories m WHERE m.id = $1 AND m.tenant = $2`, [id, tenant]),
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  async getMany(ids: readonly string[], tenant: string): Promise<MemoryRecord[]> {
    const wanted = ids.filter((id) => !hasNul(id));
    if (wanted.length === 0 || hasNul(tenant)) return [];
    const { rows } = await this.#pool.query<MemoryRow>(
      prepared(`SELECT ${RECORD_COLUMNS} FROM memories m WHERE m.id = ANY($1::text[]) AND m.tenant = $2`, [
        wanted,
        tenant,
      ]),
    );
    const byId = new Map(rows.map((row) => [row.id, toRecord(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async update(id: string, tenant: string, patch: MemoryPatch): Promise<MemoryRecord | null> {
    if (hasNul(id, tenant)) return null;
    return this.#write(async (client, stats) => this.#update(client, stats, id, tenant, patch));
  }

  async forget(id: string, tenant: string): Promise<boolean> {
    if (hasNul(id, tenant)) return false;
    return this.#write(async (client, stats) => this.#forget(client, stats, id, tenant));
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
    return this.#write(async (client, stats) => {
      for (const record of changes.add ?? []) await this.#add(client, stats, record);
      const updated: (MemoryRecord | null)[] = [];
      for (const { id, patch } of changes.update ?? []) {
        updated.push(hasNul(id, tenant) ? null : await this.#update(client, stats, id, tenant, patch));
      }
      for (const id of changes.forget ?? []) {
        if (!hasNul(id, tenant)) await this.#forget(client, stats, id, tenant);
      }
      return updated;
    });
  }

  async searchText(query: { text: string; filter: MemoryFilter; limit: number }): Promise<MemoryHit[]> {
    if (filterHasNul(query.filter)) return [];
    return searchMemoryText(this.#pool, query);
  }

  async searchVector(query: {
    vector: Float32Array;
    filter: MemoryFilter;
    limit: number;
  }): Promise<MemoryHit[]> {
    if (filterHasNul(query.filter)) return [];
    return searchMemoryVectors(this.#pool, this.#codes, query);
  }

  async touch(ids: readonly string[], tenant: string, at: number): Promise<void> {
    const touched = ids.filter((id) => !hasNul(id));
    if (touched.length === 0 || hasNul(tenant)) return;
    // Counted per occurrence, as touching the same id twice counts two recalls.
    await this.#pool.query(
      prepared(
        `
      UPDATE memories m SET access_count = m.access_count + c.n, last_accessed_at = $3
      FROM (SELECT id, count(*) AS n FROM unnest($1::text[]) AS id GROUP BY id) AS c
      WHERE m.id = c.id AND m.tenant = $2
    `,
        [touched, tenant, at],
      ),
    );
  }

  async count(filter: MemoryFilter): Promise<number> {
    if (filterHasNul(filter)) return 0;
    const params = new SqlParams();
    const where = memoryFilterSql(filter, params);
    const { rows } = await this.#pool.query<{ n: string }>(
      prepared(`SELECT count(*) AS n FROM memories m WHERE ${where}`, params.values),
    );
    return Number(rows[0]?.n ?? 0);
  }

  async list(query: { filter: MemoryFilter; limit: number; after?: string }): Promise<MemoryRecord[]> {
    if (filterHasNul(query.filter) || hasNul(query.after ?? '')) return [];
    const params = new SqlParams();
    const where = memoryFilterSql(query.filter, params);
    const { rows } = await this.#pool.query<MemoryRow>(
      prepared(
        `SELECT ${RECORD_COLUMNS} FROM memories m WHERE ${where} AND m.id > ${params.add(query.after ?? '')}
       ORDER BY m.id LIMIT ${params.add(Math.max(0, query.limit))}`,
        params.values,
      ),
    );
    return rows.map(toRecord);
  }

  async stats(tenant: string): Promise<MemoryStats> {
    const layers: Record<MemoryLayer, number> = { working: 0, episodic: 0, semantic: 0, procedural: 0 };
    if (hasNul(tenant)) return { layers, superseded: 0, embeddingModels: {} };
    let superseded = 0;
    const counts = await this.#pool.query<{ layer: MemoryLayer; superseded: boolean; n: string }>(
      prepared(
        `SELECT layer, valid_to IS NOT NULL AS superseded, count(*) AS n FROM memories WHERE tenant = $1 GROUP BY 1, 2`,
        [tenant],
      ),
    );
    for (const row of counts.rows) {
      if (row.superseded) superseded += Number(row.n);
      else layers[row.layer] = Number(row.n);
    }
    // A memory awaiting its vector has none yet.
    const models = await this.#pool.query<{ model: string; n: string }>(
      prepared(
        `SELECT CASE WHEN embedding IS NULL THEN 'none' ELSE embedding_model END AS model, count(*) AS n
       FROM memories WHERE tenant = $1 GROUP BY 1`,
        [tenant],
      ),
    );
    return {
      layers,
      superseded,
      embeddingModels: Object.fromEntries(models.rows.map((row) => [row.model, Number(row.n)])),
    };
  }

  async tenants(): Promise<string[]> {
    const { rows } = await this.#pool.query<{ tenant: string }>(
      prepared('SELECT DISTINCT tenant FROM memories ORDER BY tenant', []),
    );
    return rows.map((row) => row.tenant);
  }

  async awaitingVectors(limit: number): Promise<VectorRequest[]> {
    const { rows } = await this.#pool.query<{
      id: string;
      tenant: string;
      content: string;
      embedding_model: string;
    }>(
      prepared(
        `SELECT id, tenant, content, embedding_model FROM memories
       WHERE embedding IS NULL AND embedding_model IS NOT NULL ORDER BY created_at, id LIMIT $1`,
        [Math.max(0, limit)],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      tenant: row.tenant,
      content: row.content,
      embeddingModel: row.embedding_model,
    }));
  }

  /** Runs writes in one transaction on one connection, then the text statistics they changed. */
  async #write<T>(work: (client: pg.PoolClient, stats: StatisticsChanges) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const stats = new StatisticsChanges();
      const result = await work(client, stats);
      await stats.flush(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: the pool discards it rather than hand it out again.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async #add(client: pg.PoolClient, stats: StatisticsChanges, record: MemoryRecord): Promise<void> {
    const params = new SqlParams();
    await runInsert(client, insertSql(record, params, stats), params, record);
  }

  async #update(
    client: pg.PoolClient,
    stats: StatisticsChanges,
    id: string,
    tenant: string,
    patch: MemoryPatch,
  ): Promise<MemoryRecord | null> {
    const { rows } = await client.query<
      MemoryRow & { seq: string; term_counts: Record<string, number>; text_tokens: number }
    >(
      prepared(
        `SELECT m.seq, ${RECORD_COLUMNS}, m.term_counts, m.text_tokens FROM memories m
       WHERE m.id = $1 AND m.tenant = $2 FOR UPDATE`,
        [id, tenant],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    const next: MemoryRecord = { ...toRecord(row), ...patch };
    validate(next);
    const params = new SqlParams();
    const sets = [
      `layer = ${params.add(next.layer)}`,
      `content = ${params.add(next.content)}`,
      `embedding = ${params.add(embeddingBytes(next.embedding))}`,
      `embedding_model = ${params.add(next.embeddingModel)}`,
      `importance = ${params.add(next.importance)}`,
      `valid_to = ${params.add(next.validTo)}`,
      `superseded_by = ${params.add(next.supersededBy)}`,
      `tags = ${params.add(JSON.stringify(next.tags))}::jsonb`,
      `dimensions = ${params.add(next.embedding?.length ?? null)}`,
    ];
    // The code follows the embedding; other fields (a supersession, a re-weighting) leave it alone.
    if (patch.embedding !== undefined) {
      sets.push(`code = ${params.add(next.embedding ? Buffer.from(encodeVector(next.embedding)) : null)}`);
    }
    // The scopes whose codes this changes: the one it leaves and the one it joins.
    if (patch.embedding !== undefined || next.layer !== row.layer) {
      if (row.embedding) {
        stats.vectorScopeChanged({ tenant, layer: row.layer, dimensions: row.embedding.byteLength / 4 });
      }
      if (next.embedding)
        stats.vectorScopeChanged({ tenant, layer: next.layer, dimensions: next.embedding.length });
    }
    if (next.content !== row.content) {
      const document = documentTerms(next.content);
      stats.change(tenant, { counts: new Map(Object.entries(row.term_counts)), length: row.text_tokens }, -1);
      stats.change(tenant, document, 1);
      sets.push(
        `search_terms = array_to_tsvector(${params.add([...document.counts.keys()])}::text[])`,
        `term_counts = ${params.add(JSON.stringify(Object.fromEntries(document.counts)))}::jsonb`,
        `text_tokens = ${params.add(document.length)}`,
      );
    }
    await client.query(
      prepared(`UPDATE memories SET ${sets.join(', ')} WHERE seq = ${params.add(row.seq)}`, params.values),
    );
    return next;
  }

  async #forget(
    client: pg.PoolClient,
    stats: StatisticsChanges,
    id: string,
    tenant: string,
  ): Promise<boolean> {
    const { rows } = await client.query<{
      layer: string;
      dimensions: number | null;
      valid_to: number | null;
      superseded_by: string | null;
      term_counts: Record<string, number>;
      text_tokens: number;
    }>(
      prepared(
        'DELETE FROM memories WHERE id = $1 AND tenant = $2 RETURNING layer, dimensions, valid_to, superseded_by, term_counts, text_tokens',
        [id, tenant],
      ),
    );
    const row = rows[0];
    if (!row) return false;
    stats.change(tenant, { counts: new Map(Object.entries(row.term_counts)), length: row.text_tokens }, -1);
    if (row.dimensions !== null)
      stats.vectorScopeChanged({ tenant, layer: row.layer, dimensions: row.dimensions });
    // No memory points at one that is gone: what it had superseded now ends where it ended and is
    // superseded by its successor, or, when it was current, is current again.
    await client.query(
      prepared(
        'UPDATE memories SET valid_to = $3, superseded_by = $4 WHERE superseded_by = $1 AND tenant = $2',
        [id, tenant, row.valid_to, row.superseded_by],
      ),
    );
    return true;
  }
}

const UNIQUE_VIOLATION = '23505';

/** The INSERT of a new memory (validated first); its text statistics are counted into `stats`. */
function insertSql(record: MemoryRecord, params: SqlParams, stats: StatisticsChanges): string {
  validate(record);
  const document = documentTerms(record.content);
  stats.change(record.tenant, document, 1);
  if (record.embedding) {
    stats.vectorScopeChanged({
      tenant: record.tenant,
      layer: record.layer,
      dimensions: record.embedding.length,
    });
  }
  const values = [
    record.id,
    record.layer,
    record.tenant,
    record.team,
    record.agent,
    record.taskId,
    record.content,
    embeddingBytes(record.embedding),
    record.embeddingModel,
    record.importance,
    record.createdAt,
    record.lastAccessedAt,
    record.accessCount,
    record.validFrom,
    record.validTo,
    record.supersededBy,
  ].map((value) => params.add(value));
  return `
    INSERT INTO memories (id, layer, tenant, team, agent, task_id, content, embedding, embedding_model,
      importance, created_at, last_accessed_at, access_count, valid_from, valid_to, superseded_by,
      provenance, tags, search_terms, term_counts, text_tokens, dimensions, code)
    VALUES (${values.join(', ')}, ${params.add(JSON.stringify(record.provenance))}::jsonb,
      ${params.add(JSON.stringify(record.tags))}::jsonb, array_to_tsvector(${params.add([...document.counts.keys()])}::text[]),
      ${params.add(JSON.stringify(Object.fromEntries(document.counts)))}::jsonb, ${params.add(document.length)},
      ${params.add(record.embedding?.length ?? null)},
      ${params.add(record.embedding ? Buffer.from(encodeVector(record.embedding)) : null)})
  `;
}

/** Runs an insert of `record`, reporting a taken id as `memory.exists`. */
async function runInsert(db: Queryable, sql: string, params: SqlParams, record: MemoryRecord): Promise<void> {
  try {
    await db.query(prepared(sql, params.values));
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    throw new AgentdError({
      code: 'memory.exists',
      message: `a memory with id ${record.id} already exists`,
      cause: error,
    });
  }
}
const LAYERS: ReadonlySet<string> = new Set<MemoryLayer>(['working', 'episodic', 'semantic', 'procedural']);

/** Whether any of the texts holds a NUL character, which Postgres text cannot store. */
function hasNul(...texts: readonly (string | null | undefined)[]): boolean {
  return texts.some((text) => typeof text === 'string' && text.includes('\u0000'));
}

/** Whether a filter names a NUL-holding value: no stored memory can match it. */
function filterHasNul(filter: MemoryFilter): boolean {
  return hasNul(
    filter.tenant,
    filter.team,
    filter.agent,
    filter.taskId,
    ...(filter.tags ?? []),
    ...(filter.layers ?? []),
  );
}

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
            : hasNul(
                  record.id,
                  record.tenant,
                  record.team,
                  record.agent,
                  record.taskId,
                  record.content,
                  record.embeddingModel,
                  record.supersededBy,
                  record.provenance.taskId,
                  record.provenance.step,
                  record.provenance.source,
                  ...record.tags,
                )
              ? 'text must not hold NUL characters'
              : undefined;
  if (problem) {
    throw new AgentdError({
      code: 'memory.invalid',
      message: `memory ${record.id}: ${problem}`,
      details: { id: record.id },
    });
  }
}

function embeddingBytes(embedding: Float32Array | null): Buffer | null {
  return embedding ? Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength) : null;
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
    accessCount: Number(row.access_count),
    validFrom: row.valid_from,
    validTo: row.valid_to,
    supersededBy: row.superseded_by,
    provenance: row.provenance,
    tags: row.tags,
  };
}
