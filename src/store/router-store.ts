/** What the router has observed of one model on one task kind (`kind` '*' holds model-wide figures). */
export interface RouterStatRecord {
  modelId: string;
  kind: string;
  /** Calls that finished, and attempts that failed with an error. */
  calls: number;
  errors: number;
  /** Beta evidence (without the prior): pass and fail weights; scores add fractional weights. */
  passes: number;
  fails: number;
  /** Gaussian evidence: count, mean and sum of squared deviations (Welford) of observed scores. */
  scoreCount: number;
  scoreMean: number;
  scoreM2: number;
  /** Exponentially weighted mean latency, ms (null before the first call). */
  latencyEwmaMs: number | null;
  /** The most recent latencies, ms, oldest first (the router caps the length). */
  latencySamplesMs: number[];
  /** Measured spend and tokens of the calls. */
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** The output tokens of the most recent calls, oldest first (the router caps the length): budgets reserve their p95. */
  outputTokenSamples: number[];
  /** Calls whose reported output passed the `max_tokens` they asked for (a provider billing past the cap). */
  overMaxTokensCalls: number;
  updatedAt: number;
}

/**
 * The health of one model or provider as last seen by the process that called it: its circuit and,
 * for a model, the end of its rate-limit window. Persisted so every process sharing the store shows
 * (and honours) the same open circuits.
 */
export interface RouterHealthRecord {
  scope: 'model' | 'provider';
  id: string;
  state: 'closed' | 'open' | 'half-open';
  /** When the circuit last opened, ms since the epoch (null while closed). */
  openedAt: number | null;
  /** Until when the model is rate-limited, ms since the epoch (null when it is not). */
  rateLimitedUntil: number | null;
  updatedAt: number;
}

/** Persists the router's per-model knowledge and the health of models and providers. */
export interface RouterStore {
  /** Every record. */
  list(): Promise<RouterStatRecord[]>;
  /** Every health record. */
  listHealth(): Promise<RouterHealthRecord[]>;
  /**
   * Inserts or replaces records by (modelId, kind), and health records by (scope, id), atomically:
   * all or none.
   */
  upsert(records: readonly RouterStatRecord[], health?: readonly RouterHealthRecord[]): Promise<void>;
  /** Deletes every record, or those of one model (with its health); returns how many were deleted. */
  reset(filter?: { modelId?: string }): Promise<number>;
}
