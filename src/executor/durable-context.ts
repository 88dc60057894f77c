import type { AgentdError } from '../core/errors.js';
import type { Json, JsonCompatible, NotFunction } from '../core/json.js';
import type { ReviewAnswer, ReviewRecord } from '../store/review-store.js';

/** Hooks called around one step, for events and spans; called on replay too. */
export interface StepHooks<T = Json> {
  onStart?(key: string): void;
  onEnd?(info: {
    key: string;
    replayed: boolean;
    output?: T;
    error?: { code: string; message: string };
  }): void;
}

/** What a running step sees. */
export interface StepScope {
  key: string;
  signal: AbortSignal;
  /**
   * A store write the step queued whose commit its journal record waits for (and joins, when
   * queued in the same turn): e.g. the settlement of the step's ledger row, so a journaled call is
   * never without its cost row. A failed write fails the step.
   */
  commitWith(write: Promise<unknown>): void;
}

/** What a workflow asks a human. */
export interface HumanRequest {
  /** What kind of decision, e.g. `tool-approval` or `quality-escalation`. */
  kind: string;
  question: string;
  payload?: Json;
}

/** The human's answer, with the review it answered. */
export interface HumanAnswer extends ReviewAnswer {
  reviewId: string;
}

/**
 * A step that must not silently run twice (a tool call with side effects): it is marked as started
 * before it runs, and a resume that finds the mark but no journaled result does not run it again
 * without a decision.
 */
export interface AtMostOnce<T> {
  /** `review`: suspend the task until a human decides (see `decide`); `fail`: throw `error()`. */
  onInterrupted: 'review' | 'fail';
  /** The error the step fails with (journaled, so the task fails the same way on every replay). */
  error(): AgentdError;
  /** What the human is asked. */
  review: HumanRequest;
  /** Called once when the review is opened (e.g. to emit an event). */
  onRequested?(review: ReviewRecord): void;
  /** The human's answer as the step's output, or `rerun` to run the step again. */
  decide(answer: HumanAnswer): { rerun: true } | { output: T };
}

/** Options of one durable step. */
export interface StepOptions<T> {
  /** Mark the step started before it runs, and do not run it twice without a decision. */
  atMostOnce?: AtMostOnce<T> | undefined;
}

/** The outcome of one parallel branch: its value, or the error it failed with. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: AgentdError };

/**
 * What a durable workflow (a task) sees. A step's identity is its call order within its scope;
 * scopes nest (`scope`, `parallel`), so concurrent branches keep stable identities. On resume,
 * steps already journaled return their recorded output instead of running again.
 * Engine-neutral: the SQLite journal engine implements it here, a DBOS engine can later.
 */
export interface DurableContext {
  /** The task id, which is also the workflow id. */
  readonly taskId: string;
  /** Aborted when the task is cancelled, runs out of budget or its process shuts down. */
  readonly signal: AbortSignal;
  /** This scope's key prefix (`''` at the root). */
  readonly path: string;
  /**
   * Runs `fn` once per task lifetime; its output (any JSON-compatible value, interfaces included)
   * is journaled and replayed on resume. A step cut off before it was journaled runs again on
   * resume (at least once), unless `options.atMostOnce` says what to do instead.
   */
  step<T extends JsonCompatible<T>>(
    name: string,
    fn: (step: StepScope) => Promise<T & NotFunction<T>>,
    hooks?: StepHooks<T>,
    options?: StepOptions<T>,
  ): Promise<T>;
  /** A named child scope; names must be unique within this scope and the same on every run. */
  scope(name: string): DurableContext;
  /**
   * Runs branches concurrently, each in its own scope, and waits for all of them. Branch failures
   * are returned, not thrown; cancellation, suspension and budget exhaustion are rethrown once
   * every branch has stopped.
   */
  parallel<T>(branches: readonly ((ctx: DurableContext) => Promise<T>)[]): Promise<Settled<T>[]>;
  /**
   * Persists a review request and suspends the task until a human answers it: no process waits
   * meanwhile. When the task resumes (also after a restart), the answer is returned.
   */
  waitForHuman(
    request: HumanRequest,
    hooks?: { onRequested?(review: ReviewRecord): void },
  ): Promise<HumanAnswer>;
}

/** Runs workflows as durable tasks. */
export interface DurableEngine {
  /** Runs (or resumes) the workflow of `taskId`; steps recorded earlier for that task are replayed. */
  run<T>(
    options: {
      taskId: string;
      signal: AbortSignal;
      /** Steps (model, tool, human) the whole task may take, replayed ones included. */
      maxSteps?: number;
    },
    workflow: (ctx: DurableContext) => Promise<T>,
  ): Promise<T>;
}
