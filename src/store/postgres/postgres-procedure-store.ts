import type pg from 'pg';
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

const COLUMNS = `tenant, task_kind, topology, team_signature, models, memory_id, count, passes, total_cost_usd,
  total_duration_ms, first_at, last_at`;

/** The ProcedureStore on PostgreSQL: one row per procedure, updated in place by an upsert. */
export class PostgresProcedureStore implements ProcedureStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async record(outcome: ProcedureOutcome): Promise<ProcedureRecord> {
    // One statement: concurrent outcomes of the same procedure (from any process) each add theirs.
    const { rows } = await this.#pool.query<ProcedureRow>(
      `INSERT INTO procedures AS p (${COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $10)
       ON CONFLICT (tenant, task_kind, topology, team_signature, models) DO UPDATE SET
         count = p.count + 1, passes = p.passes + excluded.passes,
         total_cost_usd = p.total_cost_usd + excluded.total_cost_usd,
         total_duration_ms = p.total_duration_ms + excluded.total_duration_ms,
         last_at = GREATEST(p.last_at, excluded.last_at)
       RETURNING ${COLUMNS}`,
      [
        outcome.tenant,
        outcome.taskKind,
        outcome.topology,
        outcome.teamSignature,
        outcome.models,
        outcome.memoryId,
        outcome.passed ? 1 : 0,
        outcome.costUsd,
        outcome.durationMs,
        outcome.at,
      ],
    );
    return toRecord(rows[0] as ProcedureRow);
  }

  async list(query: {
    tenant: string;
    taskKind?: string;
    topology?: string;
    limit: number;
  }): Promise<ProcedureRecord[]> {
    const { rows } = await this.#pool.query<ProcedureRow>(
      `SELECT ${COLUMNS} FROM procedures
       WHERE tenant = $1 AND ($2::text IS NULL OR task_kind = $2) AND ($3::text IS NULL OR topology = $3)
       ORDER BY count DESC, last_at DESC LIMIT $4`,
      [query.tenant, query.taskKind ?? null, query.topology ?? null, query.limit],
    );
    return rows.map(toRecord);
  }

  async forgetByMemory(memoryId: string, tenant: string): Promise<boolean> {
    const result = await this.#pool.query('DELETE FROM procedures WHERE memory_id = $1 AND tenant = $2', [
      memoryId,
      tenant,
    ]);
    return (result.rowCount ?? 0) > 0;
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
