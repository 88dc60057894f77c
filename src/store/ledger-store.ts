/**
 * Where a row stands: `pending` while its call is in flight (written before dispatch, with the
 * call's estimated cost), `settled` once the call's usage is known, `interrupted` when the process
 * running the call died first: the call may have been billed, its cost is the estimate.
 */
export type CostStatus = 'pending' | 'settled' | 'interrupted';

/** One priced model call. */
export interface CostRecord {
  id: string;
  taskId: string | null;
  agent: string | null;
  modelId: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** `measured` when the provider reported usage; `estimated` when agentd counted or estimated it. */
  source: 'measured' | 'estimated';
  status: CostStatus;
  /** The output cap the call asked for, when it exceeded it (the provider billed past `max_tokens`). */
  overMaxTokens?: number;
  createdAt: number;
  /**
   * When the task of this row was pruned (its task, journal and spans deleted); absent while the
   * task exists. A pruned row still counts in every total: spend does not shrink when history does.
   */
  prunedAt?: number;
}

/** What a settled call used (the fields `settle` replaces). */
export interface CostSettlement {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  source: 'measured' | 'estimated';
  overMaxTokens?: number;
}

/** Totals over a set of cost rows. */
export interface CostTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/**
 * The cost ledger: rows of priced model calls. A row is appended before its call is dispatched
 * (`pending`, estimated) and settled when the call ends, so a crash in between leaves a row rather
 * than nothing; totals count every row, pending and interrupted ones at their estimate.
 */
export interface LedgerStore {
  /** Appends a row; throws `store.conflict` if its id is already recorded. */
  record(row: CostRecord): Promise<void>;
  /** Replaces a pending row's usage and cost by the call's real ones and marks it settled; false if no pending row has that id. */
  settle(id: string, settlement: CostSettlement): Promise<boolean>;
  /** Deletes a pending row whose call failed before using anything billable; false if no pending row has that id. */
  discard(id: string): Promise<boolean>;
  /** Marks a task's pending rows interrupted (their process died); returns how many. */
  markInterrupted(taskId: string): Promise<number>;
  /** The rows of one task, oldest first. */
  listByTask(taskId: string): Promise<CostRecord[]>;
  /** Sums over rows matching the filter (all rows when it is empty); `since` is inclusive, ms. */
  totals(filter: { taskId?: string; since?: number }): Promise<CostTotals>;
}
