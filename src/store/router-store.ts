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
  updatedAt: number;
}

/** Persists the router's per-model knowledge. */
export interface RouterStore {
  /** Every record. */
  list(): Promise<RouterStatRecord[]>;
  /** Inserts or replaces records by (modelId, kind), atomically: all or none. */
  upsert(records: readonly RouterStatRecord[]): Promise<void>;
  /** Deletes every record, or those of one model; returns how many were deleted. */
  reset(filter?: { modelId?: string }): Promise<number>;
}
