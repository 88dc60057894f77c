import type { Json } from '../core/json.js';

/** One completed durable step: its identity is (taskId, seq), seq being its call order in the task. */
export interface StepRecord {
  taskId: string;
  seq: number;
  name: string;
  status: 'completed' | 'failed';
  /** The step's JSON output (completed) — returned instead of re-running the step on replay. */
  output: Json | null;
  /** The error (failed): replayed as a thrown AgentdError with this code and message. */
  error: { code: string; message: string } | null;
  startedAt: number;
  finishedAt: number;
}

/** The durable step journal. */
export interface JournalStore {
  /** Records a finished step; throws `store.conflict` if (taskId, seq) is already recorded. */
  record(step: StepRecord): Promise<void>;
  /** The recorded step, or null. */
  get(taskId: string, seq: number): Promise<StepRecord | null>;
  /** All recorded steps of a task, by seq. */
  list(taskId: string): Promise<StepRecord[]>;
}
