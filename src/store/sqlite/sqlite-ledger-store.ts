import type Database from 'better-sqlite3';
import type { CostRecord, CostSettlement, CostTotals, LedgerStore } from '../ledger-store.js';
import { groupCommitOf } from './group-commit.js';
import type { GroupCommit } from './group-commit.js';
import { isUniqueViolation, storeConflict } from './sqlite-errors.js';

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
}

/** A row as read back: what is written, plus the mark a prune leaves. */
interface StoredCostRow extends CostRow {
  pruned_at: number | null;
}

interface SettleRow {
  id: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  source: string;
  over_max_tokens: number | null;
}

/** The LedgerStore on a SQLite database migrated by `applyMigrations`; every write joins the turn's group commit. */
export class SqliteLedgerStore implements LedgerStore {
  readonly #insert: Database.Statement<[CostRow]>;
  readonly #settle: Database.Statement<[SettleRow]>;
  readonly #discard: Database.Statement<[string]>;
  readonly #markInterrupted: Database.Statement<[string]>;
  readonly #hasPending: Database.Statement<[string], { found: number }>;
  readonly #listByTask: Database.Statement<[string], StoredCostRow>;
  readonly #totalsOfTask: Database.Statement<[{ taskId: string; since: number | null }], CostTotals>;
  readonly #totalsSince: Database.Statement<[{ since: number | null }], CostTotals>;
  readonly #group: GroupCommit;

  constructor(db: Database.Database) {
    this.#group = groupCommitOf(db);
    this.#insert = db.prepare(`
      INSERT INTO cost_ledger
        (id, task_id, agent, model_id, provider, input_tokens, output_tokens, cost_usd, source, status,
         over_max_tokens, created_at)
      VALUES
        (@id, @task_id, @agent, @model_id, @provider, @input_tokens, @output_tokens, @cost_usd, @source, @status,
         @over_max_tokens, @created_at)
    `);
    this.#settle = db.prepare(`
      UPDATE cost_ledger
      SET input_tokens = @input_tokens, output_tokens = @output_tokens, cost_usd = @cost_usd, source = @source,
          over_max_tokens = @over_max_tokens, status = 'settled'
      WHERE id = @id AND status = 'pending'
    `);
    this.#discard = db.prepare(`DELETE FROM cost_ledger WHERE id = ? AND status = 'pending'`);
    this.#hasPending = db.prepare(
      `SELECT 1 AS found FROM cost_ledger WHERE task_id = ? AND status = 'pending' LIMIT 1`,
    );
    this.#markInterrupted = db.prepare(
      `UPDATE cost_ledger SET status = 'interrupted' WHERE task_id = ? AND status = 'pending'`,
    );
    // rowid breaks ties on created_at by insertion order, which is the order the calls were priced.
    this.#listByTask = db.prepare('SELECT * FROM cost_ledger WHERE task_id = ? ORDER BY created_at, rowid');
    const sums = `
      SELECT
        COALESCE(SUM(cost_usd), 0)      AS costUsd,
        COALESCE(SUM(input_tokens), 0)  AS inputTokens,
        COALESCE(SUM(output_tokens), 0) AS outputTokens,
        COUNT(*)                        AS calls
      FROM cost_ledger`;
    // Two statements, because SQLite plans a statement once: one filter for both cases
    // (`@taskId IS NULL OR task_id = @taskId`) read the whole ledger for every task's sum. Each
    // one here reads only its index range: a task's rows, or the rows since a time.
    this.#totalsOfTask = db.prepare(
      `${sums} WHERE task_id = @taskId AND (@since IS NULL OR created_at >= @since)`,
    );
    this.#totalsSince = db.prepare(`${sums} WHERE @since IS NULL OR created_at >= @since`);
  }

  /** Appends a row; throws `store.conflict` if its id is already recorded. */
  async record(row: CostRecord): Promise<void> {
    const values: CostRow = {
      id: row.id,
      task_id: row.taskId,
      agent: row.agent,
      model_id: row.modelId,
      provider: row.provider,
      input_tokens: row.inputTokens,
      output_tokens: row.outputTokens,
      cost_usd: row.costUsd,
      source: row.source,
      status: row.status,
      over_max_tokens: row.overMaxTokens ?? null,
      created_at: row.createdAt,
    };
    try {
      await this.#group.write(() => this.#insert.run(values));
    } catch (error) {
      if (isUniqueViolation(error)) throw storeConflict(`cost row '${row.id}' already exists`, error);
      throw error;
    }
  }

  /** Settles a pending row with the call's real usage; false if no pending row has that id. */
  async settle(id: string, settlement: CostSettlement): Promise<boolean> {
    const values: SettleRow = {
      id,
      input_tokens: settlement.inputTokens,
      output_tokens: settlement.outputTokens,
      cost_usd: settlement.costUsd,
      source: settlement.source,
      over_max_tokens: settlement.overMaxTokens ?? null,
    };
    const result = await this.#group.write(() => this.#settle.run(values));
    return result.changes > 0;
  }

  /** Deletes a pending row; false if no pending row has that id. */
  async discard(id: string): Promise<boolean> {
    const result = await this.#group.write(() => this.#discard.run(id));
    return result.changes > 0;
  }

  /** Marks a task's pending rows interrupted; returns how many. */
  async markInterrupted(taskId: string): Promise<number> {
    // Every task start asks; almost none has a pending row, and a read on the partial index costs no
    // write transaction.
    if (this.#hasPending.get(taskId) === undefined) return 0;
    const result = await this.#group.write(() => this.#markInterrupted.run(taskId));
    return result.changes;
  }

  /** The rows of one task, oldest first. */
  async listByTask(taskId: string): Promise<CostRecord[]> {
    return this.#listByTask.all(taskId).map(toCostRecord);
  }

  /** Sums over rows matching the filter (all rows when it is empty); `since` is inclusive, ms. */
  async totals(filter: { taskId?: string; since?: number }): Promise<CostTotals> {
    const since = filter.since ?? null;
    const totals =
      filter.taskId === undefined
        ? this.#totalsSince.get({ since })
        : this.#totalsOfTask.get({ taskId: filter.taskId, since });
    // An aggregate without GROUP BY always yields exactly one row.
    return totals ?? { costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0 };
  }
}

function toCostRecord(row: StoredCostRow): CostRecord {
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
    ...(row.pruned_at === null ? {} : { prunedAt: row.pruned_at }),
  };
}
