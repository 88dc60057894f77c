import type { Json } from '../core/json.js';

/** Hooks called around one step, for events and spans; called on replay too. */
export interface StepHooks {
  onStart?(seq: number): void;
  onEnd?(info: {
    seq: number;
    replayed: boolean;
    output?: Json;
    error?: { code: string; message: string };
  }): void;
}

/**
 * What a durable workflow (a task) sees. A step's identity is its call order within the task;
 * on resume, steps already journaled return their recorded output instead of running again.
 * Engine-neutral: the SQLite journal engine implements it here, a DBOS engine can later.
 */
export interface DurableContext {
  /** The task id, which is also the workflow id. */
  readonly taskId: string;
  /** Aborted when the task is cancelled or its process shuts down. */
  readonly signal: AbortSignal;
  /** Runs `fn` once per task lifetime; its JSON output is journaled and replayed on resume. */
  step<T extends Json>(
    name: string,
    fn: (step: { seq: number; signal: AbortSignal }) => Promise<T>,
    hooks?: StepHooks,
  ): Promise<T>;
}

/** Runs workflows as durable tasks. */
export interface DurableEngine {
  /** Runs (or resumes) the workflow of `taskId`; steps recorded earlier for that task are replayed. */
  run<T>(
    options: { taskId: string; signal: AbortSignal },
    workflow: (ctx: DurableContext) => Promise<T>,
  ): Promise<T>;
}
