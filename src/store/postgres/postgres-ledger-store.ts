import type pg from 'pg';
import type { CostRecord, CostSettlement, CostTotals, LedgerStore } from '../ledger-store.js';
import { isUniqueViolation, storeConflict } from './pg-errors.js';
import { namedStatement } from './pg-query.js';

interface CostRow {
  id: string;
  task_id: string | null;
  agent: string | null;
  model_id: string;
  provider: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  source: string;
  status: string;
  over_max_tokens: number | null;
  created_at: number;
  pruned_at: number | null;
}

const INSERTED = `id, task_id, agent, model_id, provider, input_tokens, output_tokens, cost_usd, source, status,
  over_max_tokens, created_at`;
const COLUMNS = `${INSERTED}, pruned_at`;

const insertCost = namedStatement(
  'cost_insert',
  `INSERT INTO cost_ledger (${INSERTED}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
);
const settleCost = namedStatement(
  'cost_settle',
  `UPDATE cost_ledger SET input_tokens = $2, output_tokens = $3, cost_usd = $4, source = $5,
     over_max_tokens = $6, status = 'settled'
   WHERE id = $1 AND status = 'pending'`,
);
const discardCost = namedStatement(
  'cost_discard',
  `DELETE FROM cost_ledger WHERE id = $1 AND status = 'pending'`,
);
// Every task start asks; almost none has a pending row, and an UPDATE that matches nothing on the
// partial index writes nothing.
const markInterrupted = namedStatement(
  'cost_mark_interrupted',
  `UPDATE cost_ledger SET status = 'interrupted' WHERE task_id = $1 AND status = 'pending'`,
);
// seq breaks ties on created_at by insertion order, the order the calls were priced.
const listByTask = namedStatement(
  'cost_list_by_task',
  `SELECT ${COLUMNS} FROM cost_ledger WHERE task_id = $1 ORDER BY created_at, seq`,
);
const SUMS = `
  SELECT
    COALESCE(SUM(cost_usd), 0)      AS "costUsd",
    COALESCE(SUM(input_tokens), 0)  AS "inputTokens",
    COALESCE(SUM(output_tokens), 0) AS "outputTokens",
    COUNT(*)                        AS calls
  FROM cost_ledger`;
// Separate statements, so each reads only its index range: a task's rows, or the rows since a time
// (a day's spend for the daily budget).
const totalsOfTask = namedStatement(
  'cost_totals_task',
  `${SUMS} WHERE task_id = $1 AND created_at >= COALESCE($2::bigint, -9223372036854775807)`,
);
const totalsSince = namedStatement('cost_totals_since', `${SUMS} WHERE created_at >= $1`);
const totalsAll = namedStatement('cost_totals_all', SUMS);

/** The LedgerStore on PostgreSQL. */
export class PostgresLedgerStore implements LedgerStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Appends a row; throws `store.conflict` if its id is already recorded. */
  async record(row: CostRecord): Promise<void> {
    try {
      await this.#pool.query(
        insertCost([
          row.id,
          row.taskId,
          row.agent,
          row.modelId,
          row.provider,
          row.inputTokens,
          row.outputTokens,
          row.costUsd,
          row.source,
          row.status,
          row.overMaxTokens ?? null,
          row.createdAt,
        ]),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw storeConflict(`cost row '${row.id}' already exists`, error);
      throw error;
    }
  }

  /** Settles a pending row with the call's real usage; false if no pending row has that id. */
  async settle(id: string, settlement: CostSettlement): Promise<boolean> {
    const result = await this.#pool.query(
      settleCost([
        id,
        settlement.inputTokens,
        settlement.outputTokens,
        settlement.costUsd,
        settlement.source,
        settlement.overMaxTokens ?? null,
      ]),
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Deletes a pending row; false if no pending row has that id. */
  async discard(id: string): Promise<boolean> {
    return ((await this.#pool.query(discardCost([id]))).rowCount ?? 0) > 0;
  }

  /** Marks a task's pending rows interrupted; returns how many. */
  async markInterrupted(taskId: string): Promise<number> {
    return (await this.#pool.query(markInterrupted([taskId]))).rowCount ?? 0;
  }

  /** The rows of one task, oldest first. */
  async listByTask(taskId: string): Promise<CostRecord[]> {
    const { rows } = await this.#pool.query<CostRow>(listByTask([taskId]));
    return rows.map(toCostRecord);
  }

  /** Sums over rows matching the filter (all rows when it is empty); `since` is inclusive, ms. */
  async totals(filter: { taskId?: string; since?: number }): Promise<CostTotals> {
    const query =
      filter.taskId !== undefined
        ? totalsOfTask([filter.taskId, filter.since ?? null])
        : filter.since !== undefined
          ? totalsSince([filter.since])
          : totalsAll([]);
    const { rows } = await this.#pool.query<CostTotals>(query);
    // An aggregate without GROUP BY always yields exactly one row.
    return rows[0] ?? { costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0 };
  }
}

function toCostRecord(row: CostRow): CostRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    agent: row.agent,
    modelId: row.model_id,
    provider: row.provider,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    source: row.source as CostRecord['source'],
    status: row.status as CostRecord['status'],
    ...(row.over_max_tokens === null ? {} : { overMaxTokens: row.over_max_tokens }),
    createdAt: row.created_at,
    ...(row.pruned_at === null ? {} : { prunedAt: Number(row.pruned_at) }),
  };
}
