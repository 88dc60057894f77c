import type Database from 'better-sqlite3';
import type { ProcedureOutcome, ProcedureRecord, ProcedureStore } from '../procedure-store.js';

interface ProcedureRow {
  tenant: string;
  task_kind: string;
  topology: string;
  team_signature: string;
  models: string;
  memory_id: string;
  count: number;
  passes: number;
  total_cost_usd: number;
  total_duration_ms: number;
  first_at: number;
  last_at: number;
}

/** The ProcedureStore on SQLite: one row per procedure, updated in place by an upsert. */
export class SqliteProcedureStore implements ProcedureStore {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  async record(outcome: ProcedureOutcome): Promise<ProcedureRecord> {
    const row = this.#db
      .prepare(
        `
        INSERT INTO procedures (tenant, task_kind, topology, team_signature, models, memory_id, count, passes,
          total_cost_usd, total_duration_ms, first_at, last_at)
        VALUES (@tenant, @taskKind, @topology, @teamSignature, @models, @memoryId, 1, @pass, @costUsd,
          @durationMs, @at, @at)
        ON CONFLICT (tenant, task_kind, topology, team_signature, models) DO UPDATE SET
          count = count + 1, passes = passes + excluded.passes,
          total_cost_usd = total_cost_usd + excluded.total_cost_usd,
          total_duration_ms = total_duration_ms + excluded.total_duration_ms,
          last_at = MAX(last_at, excluded.last_at)
        RETURNING *
      `,
      )
      .get({ ...outcome, pass: outcome.passed ? 1 : 0 }) as ProcedureRow;
    return toRecord(row);
  }

  async list(query: {
    tenant: string;
    taskKind?: string;
    topology?: string;
    limit: number;
  }): Promise<ProcedureRecord[]> {
    const rows = this.#db
      .prepare(
        `
        SELECT * FROM procedures
        WHERE tenant = @tenant
          AND (@taskKind IS NULL OR task_kind = @taskKind)
          AND (@topology IS NULL OR topology = @topology)
        ORDER BY count DESC, last_at DESC LIMIT @limit
      `,
      )
      .all({
        tenant: query.tenant,
        taskKind: query.taskKind ?? null,
        topology: query.topology ?? null,
        limit: query.limit,
      }) as ProcedureRow[];
    return rows.map(toRecord);
  }

  async forgetByMemory(memoryId: string, tenant: string): Promise<boolean> {
    return (
      this.#db.prepare('DELETE FROM procedures WHERE memory_id = ? AND tenant = ?').run(memoryId, tenant)
        .changes > 0
    );
  }
}

function toRecord(row: ProcedureRow): ProcedureRecord {
  return {
    tenant: row.tenant,
    taskKind: row.task_kind,
    topology: row.topology,
    teamSignature: row.team_signature,
    models: row.models,
    memoryId: row.memory_id,
    count: row.count,
    passes: row.passes,
    totalCostUsd: row.total_cost_usd,
    totalDurationMs: row.total_duration_ms,
    firstAt: row.first_at,
    lastAt: row.last_at,
  };
}
