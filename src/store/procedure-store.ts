/** Which kind of team ran which kind of task: the key procedural memory aggregates outcomes by. */
export interface ProcedureKey {
  tenant: string;
  /** The task kind (the router's classifier: code, writing, …). */
  taskKind: string;
  topology: string;
  /** The team's shape: its agents in order (see `teamSignature`). */
  teamSignature: string;
  /** The models that answered, sorted and comma-joined. */
  models: string;
}

/** The aggregated outcomes of one procedure. */
export interface ProcedureRecord extends ProcedureKey {
  /** The procedural memory that describes it in words (recallable, forgettable). */
  memoryId: string;
  count: number;
  /** Runs that passed: succeeded, and approved where a judge ruled. */
  passes: number;
  totalCostUsd: number;
  totalDurationMs: number;
  firstAt: number;
  lastAt: number;
}

/** One finished run of a procedure. */
export interface ProcedureOutcome extends ProcedureKey {
  memoryId: string;
  passed: boolean;
  costUsd: number;
  durationMs: number;
  at: number;
}

/** Persists procedural memory: outcomes aggregated per (task kind, topology, team, models). */
export interface ProcedureStore {
  /** Adds one outcome to its procedure's aggregate (created on first use); returns the aggregate. */
  record(outcome: ProcedureOutcome): Promise<ProcedureRecord>;
  /** The tenant's procedures, optionally of one task kind / topology, most used first. */
  list(query: {
    tenant: string;
    taskKind?: string;
    topology?: string;
    limit: number;
  }): Promise<ProcedureRecord[]>;
  /** Deletes the procedure a procedural memory describes (when that memory is forgotten). */
  forgetByMemory(memoryId: string, tenant: string): Promise<boolean>;
}
