import type { Json } from '../core/json.js';

/**
 * One completed durable step. Its identity is (taskId, key): the key is the step's call order
 * within its scope, prefixed by the scope path (`3`, `2.1/4`, `dag:review/1`), so steps of
 * branches that run concurrently keep stable identities.
 */
export interface StepRecord {
  taskId: string;
  key: string;
  name: string;
  status: 'completed' | 'failed';
  /** The step's JSON output (completed) — returned instead of re-running the step on replay. */
  output: Json | null;
  /** The error (failed): replayed as a thrown AgentdError with this code and message. */
  error: { code: string; message: string } | null;
  startedAt: number;
  finishedAt: number;
}

/** A step that was started: a mark written before it ran, kept when it never finished. */
export interface StepStart {
  taskId: string;
  key: string;
  name: string;
  startedAt: number;
}

/** The durable step journal. */
export interface JournalStore {
  /** Records a finished step; throws `store.conflict` if (taskId, key) is already recorded. */
  record(step: StepRecord): Promise<void>;
  /** The recorded step, or null. */
  get(taskId: string, key: string): Promise<StepRecord | null>;
  /** All recorded steps of a task, in the order they finished. */
  list(taskId: string): Promise<StepRecord[]>;
  /** Marks a step as started (before it runs); marking the same (taskId, key) again keeps the first mark. */
  markStarted(start: StepStart): Promise<void>;
  /** The start marks of a task, finished steps' included, in key order. */
  listStarted(taskId: string): Promise<StepStart[]>;
}
