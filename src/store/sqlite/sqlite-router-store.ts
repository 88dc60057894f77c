import type Database from 'better-sqlite3';
import { checkRouterHealth, checkRouterStat } from '../router-record-checks.js';
import type { RouterHealthRecord, RouterStatRecord, RouterStore } from '../router-store.js';

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
  output_token_samples: string;
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

/** The RouterStore on a SQLite database migrated by `applyMigrations`. */
export class SqliteRouterStore implements RouterStore {
  readonly #list: Database.Statement<[], RouterStatRow>;
  readonly #upsert: Database.Statement<[RouterStatRow]>;
  readonly #upsertAll: (rows: RouterStatRow[], health: RouterHealthRow[]) => void;
  readonly #reset: (modelId: string | undefined) => number;
  readonly #listHealth: Database.Statement<[], RouterHealthRow>;

  constructor(db: Database.Database) {
    this.#list = db.prepare('SELECT * FROM router_stats ORDER BY model_id, kind');
    this.#upsert = db.prepare(`
      INSERT OR REPLACE INTO router_stats (model_id, kind, calls, errors, passes, fails, score_count,
        score_mean, score_m2, latency_ewma_ms, latency_samples_ms, cost_usd, input_tokens, output_tokens,
        output_token_samples, over_max_tokens_calls, updated_at)
      VALUES (@model_id, @kind, @calls, @errors, @passes, @fails, @score_count, @score_mean, @score_m2,
        @latency_ewma_ms, @latency_samples_ms, @cost_usd, @input_tokens, @output_tokens,
        @output_token_samples, @over_max_tokens_calls, @updated_at)
    `);
    const upsertHealth = db.prepare<[RouterHealthRow]>(`
      INSERT OR REPLACE INTO router_health (scope, id, state, opened_at, rate_limited_until, updated_at)
      VALUES (@scope, @id, @state, @opened_at, @rate_limited_until, @updated_at)
    `);
    this.#upsertAll = db.transaction((rows: RouterStatRow[], health: RouterHealthRow[]) => {
      for (const row of rows) this.#upsert.run(row);
      for (const row of health) upsertHealth.run(row);
    });
    const resetAll = db.prepare('DELETE FROM router_stats');
    const resetModel = db.prepare<[string]>('DELETE FROM router_stats WHERE model_id = ?');
    const resetHealth = db.prepare('DELETE FROM router_health');
    const resetModelHealth = db.prepare<[string]>(
      "DELETE FROM router_health WHERE scope = 'model' AND id = ?",
    );
    this.#reset = db.transaction((modelId: string | undefined) => {
      if (modelId === undefined) {
        resetHealth.run();
        return resetAll.run().changes;
      }
      resetModelHealth.run(modelId);
      return resetModel.run(modelId).changes;
    });
    this.#listHealth = db.prepare('SELECT * FROM router_health ORDER BY scope, id');
  }

  async list(): Promise<RouterStatRecord[]> {
    return this.#list.all().map(toRecord);
  }

  async listHealth(): Promise<RouterHealthRecord[]> {
    return this.#listHealth.all().map((row) => ({
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
    this.#upsertAll(records.map(toRow), health.map(toHealthRow));
  }

  /** Counts the stat records deleted; a model's health record goes with them. */
  async reset(filter: { modelId?: string } = {}): Promise<number> {
    return this.#reset(filter.modelId);
  }
}

function toRow(record: RouterStatRecord): RouterStatRow {
  checkRouterStat(record);
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
    output_token_samples: JSON.stringify(record.outputTokenSamples),
    over_max_tokens_calls: record.overMaxTokensCalls,
    updated_at: record.updatedAt,
  };
}

function toHealthRow(record: RouterHealthRecord): RouterHealthRow {
  checkRouterHealth(record);
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
    latencySamplesMs: JSON.parse(row.latency_samples_ms) as number[],
    costUsd: row.cost_usd,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    outputTokenSamples: JSON.parse(row.output_token_samples) as number[],
    overMaxTokensCalls: row.over_max_tokens_calls,
    updatedAt: row.updated_at,
  };
}
