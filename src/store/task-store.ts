import type { Json } from '../core/json.js';
import type { TaskEvent } from '../core/events.js';

/** Where a task is in its life. */
export type TaskStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';

/**
 * The configuration a task was started with: a fingerprint of the effective config that running it
 * depends on (a hash; no value of the config is stored) and the config file it came from.
 */
export interface TaskOrigin {
  configFingerprint: string;
  /** The highest-precedence config file, or null when none was read. */
  configPath: string | null;
}

/** A task as stored. `input` is everything needed to run (or resume) it. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  prompt: string;
  input: Json;
  output: string | null;
  error: { code: string; message: string } | null;
  /** The full task result once finished (see operations' TaskResult). */
  result: Json | null;
  simulated: boolean;
  /** The runner that holds the task's lease while it runs (`host:pid:nonce`), or null. */
  owner: string | null;
  /** When the owner last renewed its lease (ms), or null. */
  heartbeatAt: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The config it was started with; absent for tasks stored before agentd recorded it. */
  origin?: TaskOrigin;
}

/** The statuses of a task that has finished: only such a task may be deleted. */
export type FinishedTaskStatus = Extract<TaskStatus, 'succeeded' | 'failed' | 'cancelled'>;

/** Every finished status, in the order they are documented. */
export const FINISHED_TASK_STATUSES: readonly FinishedTaskStatus[] = ['succeeded', 'failed', 'cancelled'];

/** What {@link TaskStore.deleteFinished} removed, by kind of row (the ledger's rows are kept and marked). */
export interface TaskDeletion {
  events: number;
  steps: number;
  spans: number;
  reviews: number;
  verdicts: number;
  /** Cost rows marked pruned (kept: budgets and cost history still count them). */
  costRowsMarked: number;
}

/** Fields a caller may change after creation. */
export type TaskPatch = Partial<
  Pick<TaskRecord, 'status' | 'output' | 'error' | 'result' | 'simulated' | 'startedAt' | 'finishedAt'>
>;

/** Persists tasks and the events they emit. */
export interface TaskStore {
  /** Inserts a new task; throws `store.conflict` if the id exists. */
  create(task: TaskRecord): Promise<void>;
  /** The task, or null. */
  get(id: string): Promise<TaskRecord | null>;
  /**
   * Newest first; `before` is an exclusive createdAt/id cursor (the id of the last row seen).
   * `tenant`: only tasks whose input names that tenant, and with `includeUntenanted` also those
   * whose input names none (they run in the default tenant).
   */
  list(query: {
    status?: TaskStatus[];
    limit: number;
    before?: string;
    tenant?: { name: string; includeUntenanted: boolean };
  }): Promise<TaskRecord[]>;
  /** Applies the patch; returns the updated task, or null when no such task exists. */
  update(id: string, patch: TaskPatch): Promise<TaskRecord | null>;
  /**
   * Sets `status` to `to` only if it currently is one of `from`; returns whether it changed.
   * This is how lifecycle transitions stay race-free (e.g. cancel vs. finish).
   */
  transition(id: string, from: TaskStatus[], to: TaskStatus, patch?: TaskPatch): Promise<boolean>;
  /**
   * Takes the task's lease for `owner` and marks it running, if it is queued or running under a
   * lease renewed before `staleBefore`. Sets startedAt on first start. Returns whether it was taken.
   */
  claim(id: string, lease: { owner: string; now: number; staleBefore: number }): Promise<boolean>;
  /** Renews the lease of every running task `owner` holds. */
  heartbeat(lease: { owner: string; now: number }): Promise<void>;
  /** Appends an event; assigns and returns its per-task sequence number (1, 2, …). */
  appendEvent(taskId: string, event: Omit<TaskEvent, 'seq'>): Promise<number>;
  /** Events with seq > afterSeq, in order. */
  listEvents(taskId: string, afterSeq?: number): Promise<TaskEvent[]>;
  /**
   * Finished tasks (status in `status`, every finished status when absent) whose `finishedAt` is
   * before `finishedBefore` (exclusive, ms), oldest finish first (ties by id), at most `limit`.
   * A finished task with no `finishedAt` counts as finished when it was created. Never returns a
   * queued, running or waiting task, whatever `status` says.
   */
  listFinishedBefore(query: {
    finishedBefore: number;
    status?: readonly FinishedTaskStatus[];
    limit: number;
  }): Promise<TaskRecord[]>;
  /**
   * Deletes a finished task and everything recorded under its id — its events, journal steps and
   * step-start marks, spans, reviews and judge verdicts — in ONE transaction: afterwards either all
   * of it is gone or (on any failure) none of it is. Its cost-ledger rows are kept (cost history,
   * budget totals) and get `prunedAt = at` unless already marked. Audit events, memories and
   * anything else outside this list are left alone. Returns null when no task has that id; throws
   * `task.not_finished` (and deletes nothing) when the task is queued, running or waiting, checked
   * inside the transaction so a task resumed meanwhile is never deleted.
   */
  deleteFinished(id: string, at: number): Promise<TaskDeletion | null>;
}
