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
  /** `measured` when the provider reported usage; `estimated` when agentd counted it. */
  source: 'measured' | 'estimated';
  createdAt: number;
}

/** Totals over a set of cost rows. */
export interface CostTotals {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/** The cost ledger: append-only rows of priced model calls. */
export interface LedgerStore {
  /** Appends a row. */
  record(row: CostRecord): Promise<void>;
  /** The rows of one task, oldest first. */
  listByTask(taskId: string): Promise<CostRecord[]>;
  /** Sums over rows matching the filter (all rows when it is empty); `since` is inclusive, ms. */
  totals(filter: { taskId?: string; since?: number }): Promise<CostTotals>;
}
