import type { CostMeter } from '../budget/index.js';
import type { AgentdError } from '../core/errors.js';
import type { TaskEventMap } from '../core/events.js';
import type { Json } from '../core/json.js';
import type { TaskRecord } from '../store/task-store.js';
import type { SpanHandle } from '../trace/index.js';
import type { DurableContext } from './durable-context.js';

/** What a task's workflow gets from the runner. */
export interface TaskScope {
  task: TaskRecord;
  durable: DurableContext;
  /** The task's root span. */
  span: SpanHandle;
  emit<K extends keyof TaskEventMap>(type: K, data: TaskEventMap[K]): void;
  /**
   * Ends the run with `error` (e.g. budget.exceeded for wall time) after `ms`, unless it finished;
   * in-flight model calls of every branch and child run are aborted.
   */
  deadline(ms: number, error: AgentdError): void;
  /** Reserves, prices and records the task's model calls (the only writer of its ledger rows). */
  costMeter: CostMeter;
}

/** The program a task runs: given its scope, produce the output (and details worth reporting). */
export type TaskWorkflow = (scope: TaskScope) => Promise<{ output: string; details?: Json }>;
