import type Database from 'better-sqlite3';
import { AgentdError } from '../../core/errors.js';
import '../../router/router-error-codes.js';
import type { RouterStatRecord, RouterStore } from '../router-store.js';

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
  latency_samples_ms: string;
  cost_usd: number;
  input_tokens: number;
  output_tokens: number;
  updated_at: number;
}

const COUNTS = [
  'calls',
  'errors',
  'passes',
  'fails',
  'scoreCount',
  'costUsd',
  'inputTokens',
  'outputTokens',
] as const;

/** The RouterStore on a SQLite database migrated by `applyMigrations`. */
export class SqliteRouterStore implements RouterStore {
  readonly #list: Database.Statement<[], RouterStatRow>;
  readonly #upsert: Database.Statement<[RouterStatRow]>;
  readonly #upsertAll: (rows: RouterStatRow[]) => void;
  readonly #resetAll: Database.Statement<[]>;
  readonly #resetModel: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    this.#list = db.prepare('SELECT * FROM router_stats ORDER BY model_id, kind');
    this.#upsert = db.prepare(`
      INSERT OR REPLACE INTO router_stats (model_id, kind, calls, errors, passes, fails, score_count,
        score_mean, score_m2, latency_ewma_ms, latency_samples_ms, cost_usd, input_tokens, output_tokens, updated_at)
      VALUES (@model_id, @kind, @calls, @errors, @passes, @fails, @score_count, @score_mean, @score_m2,
        @latency_ewma_ms, @latency_samples_ms, @cost_usd, @input_tokens, @output_tokens, @updated_at)
    `);
    this.#upsertAll = db.transaction((rows: RouterStatRow[]) => {
      for (const row of rows) this.#upsert.run(row);
    });
    this.#resetAll = db.prepare('DELETE FROM router_stats');
    this.#resetModel = db.prepare('DELETE FROM router_stats WHERE model_id = ?');
  }

  async list(): Promise<RouterStatRecord[]> {
    return this.#list.all().map(toRecord);
  }

  /** Validates the whole batch first, so an invalid record writes nothing. */
  async upsert(records: readonly RouterStatRecord[]): Promise<void> {
    this.#upsertAll(records.map(toRow));
  }

  async reset(filter: { modelId?: string } = {}): Promise<number> {
    const result = filter.modelId === undefined ? this.#resetAll.run() : this.#resetModel.run(filter.modelId);
    return result.changes;
  }
}

function toRow(record: RouterStatRecord): RouterStatRow {
  const invalid = (field: string) =>
    new AgentdError({
      code: 'router.invalid_stat',
      message: `router stat ${record.modelId} (${record.kind}): ${field} must be a finite, non-negative number`,
      details: { modelId: record.modelId, kind: record.kind, field },
    });
  for (const field of COUNTS) {
    if (!Number.isFinite(record[field]) || record[field] < 0) throw invalid(field);
  }
  for (const field of ['scoreMean', 'scoreM2', 'updatedAt'] as const) {
    if (!Number.isFinite(record[field])) throw invalid(field);
  }
  if (record.latencyEwmaMs !== null && !Number.isFinite(record.latencyEwmaMs)) throw invalid('latencyEwmaMs');
  if (!record.latencySamplesMs.every(Number.isFinite)) throw invalid('latencySamplesMs');
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
    latency_samples_ms: JSON.stringify(record.latencySamplesMs),
    cost_usd: record.costUsd,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
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
    latencySamplesMs: JSON.parse(row.latency_samples_ms) as number[],
    costUsd: row.cost_usd,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    updatedAt: row.updated_at,
  };
}
