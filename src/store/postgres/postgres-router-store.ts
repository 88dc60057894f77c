import type pg from 'pg';
import { checkRouterHealth, checkRouterStat } from '../router-record-checks.js';
import type { RouterHealthRecord, RouterStatRecord, RouterStore } from '../router-store.js';
import { jsonParam, namedStatement } from './pg-query.js';

interface RouterStatRow {
  model_id: string;
  kind: string;
  calls: number;
  errors: number;
  passes: number;
  fails: number;
  score_count: number;
  score_mean: number;
  score_m2: number;
  latency_ewma_ms: number | null;
  latency_samples_ms: number[];
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  output_token_samples: number[];
  over_max_tokens_calls: number;
  updated_at: number;
}

interface RouterHealthRow {
  scope: 'model' | 'provider';
  id: string;
  state: 'closed' | 'open' | 'half-open';
  opened_at: number | null;
  rate_limited_until: number | null;
  updated_at: number;
}

const STAT_COLUMNS = `model_id, kind, calls, errors, passes, fails, score_count, score_mean, score_m2, latency_ewma_ms,
  latency_samples_ms, cost_usd, input_tokens, output_tokens, output_token_samples, over_max_tokens_calls, updated_at`;
const STAT_TYPES = `model_id text, kind text, calls float8, errors float8, passes float8, fails float8,
  score_count float8, score_mean float8, score_m2 float8, latency_ewma_ms float8, latency_samples_ms jsonb,
  cost_usd float8, input_tokens float8, output_tokens float8, output_token_samples jsonb,
  over_max_tokens_calls float8, updated_at bigint`;
const HEALTH_COLUMNS = 'scope, id, state, opened_at, rate_limited_until, updated_at';
const HEALTH_TYPES =
  'scope text, id text, state text, opened_at bigint, rate_limited_until bigint, updated_at bigint';

const excluded = (columns: string, keys: string[]) =>
  columns
    .split(',')
    .map((column) => column.trim())
    .filter((column) => !keys.includes(column))
    .map((column) => `${column} = excluded.${column}`)
    .join(', ');

// Both tables in one statement: atomic (all or none) and one round trip.
const upsertAll = namedStatement(
  'router_upsert',
  `WITH stats AS (
     INSERT INTO router_stats (${STAT_COLUMNS})
     SELECT ${STAT_COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS batch (${STAT_TYPES})
     ON CONFLICT (model_id, kind) DO UPDATE SET ${excluded(STAT_COLUMNS, ['model_id', 'kind'])}
   ), health AS (
     INSERT INTO router_health (${HEALTH_COLUMNS})
     SELECT ${HEALTH_COLUMNS} FROM jsonb_to_recordset($2::jsonb) AS batch (${HEALTH_TYPES})
     ON CONFLICT (scope, id) DO UPDATE SET ${excluded(HEALTH_COLUMNS, ['scope', 'id'])}
   )
   SELECT 1`,
);
const resetAll = namedStatement(
  'router_reset_all',
  'WITH health AS (DELETE FROM router_health) DELETE FROM router_stats',
);
const resetModel = namedStatement(
  'router_reset_model',
  `WITH health AS (DELETE FROM router_health WHERE scope = 'model' AND id = $1)
   DELETE FROM router_stats WHERE model_id = $1`,
);

/** The RouterStore on PostgreSQL. */
export class PostgresRouterStore implements RouterStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async list(): Promise<RouterStatRecord[]> {
    const { rows } = await this.#pool.query<RouterStatRow>(
      `SELECT ${STAT_COLUMNS} FROM router_stats ORDER BY model_id, kind`,
    );
    return rows.map(toRecord);
  }

  async listHealth(): Promise<RouterHealthRecord[]> {
    const { rows } = await this.#pool.query<RouterHealthRow>(
      `SELECT ${HEALTH_COLUMNS} FROM router_health ORDER BY scope, id`,
    );
    return rows.map((row) => ({
      scope: row.scope,
      id: row.id,
      state: row.state,
      openedAt: row.opened_at,
      rateLimitedUntil: row.rate_limited_until,
      updatedAt: row.updated_at,
    }));
  }

  /** Validates the whole batch first, so an invalid record writes nothing. */
  async upsert(
    records: readonly RouterStatRecord[],
    health: readonly RouterHealthRecord[] = [],
  ): Promise<void> {
    records.forEach(checkRouterStat);
    health.forEach(checkRouterHealth);
    if (records.length === 0 && health.length === 0) return;
    // One statement may not update a row twice: the last record of a key wins, as a replace would.
    const stats = lastByKey(records, (r) => `${r.modelId}\u0000${r.kind}`).map(toRow);
    const healthRows = lastByKey(health, (h) => `${h.scope}\u0000${h.id}`).map(toHealthRow);
    await this.#pool.query(upsertAll([jsonParam(stats), jsonParam(healthRows)]));
  }

  /** Counts the stat records deleted; a model's health record goes with them. */
  async reset(filter: { modelId?: string } = {}): Promise<number> {
    const result = await this.#pool.query(
      filter.modelId === undefined ? resetAll([]) : resetModel([filter.modelId]),
    );
    return result.rowCount ?? 0;
  }
}

function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

function toRow(record: RouterStatRecord): RouterStatRow {
  return {
    model_id: record.modelId,
    kind: record.kind,
    calls: record.calls,
    errors: record.errors,
    passes: record.passes,
    fails: record.fails,
    score_count: record.scoreCount,
    score_mean: record.scoreMean,
    score_m2: record.scoreM2,
    latency_ewma_ms: record.latencyEwmaMs,
    latency_samples_ms: record.latencySamplesMs,
    cost_usd: record.costUsd,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    output_token_samples: record.outputTokenSamples,
    over_max_tokens_calls: record.overMaxTokensCalls,
    updated_at: record.updatedAt,
  };
}

function toHealthRow(record: RouterHealthRecord): RouterHealthRow {
  return {
    scope: record.scope,
    id: record.id,
    state: record.state,
    opened_at: record.openedAt,
    rate_limited_until: record.rateLimitedUntil,
    updated_at: record.updatedAt,
  };
}

function toRecord(row: RouterStatRow): RouterStatRecord {
  return {
    modelId: row.model_id,
    kind: row.kind,
    calls: row.calls,
    errors: row.errors,
    passes: row.passes,
    fails: row.fails,
    scoreCount: row.score_count,
    scoreMean: row.score_mean,
    scoreM2: row.score_m2,
    latencyEwmaMs: row.latency_ewma_ms,
    latencySamplesMs: row.latency_samples_ms,
    costUsd: row.cost_usd,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    outputTokenSamples: row.output_token_samples,
    overMaxTokensCalls: row.over_max_tokens_calls,
    updatedAt: row.updated_at,
  };
}
