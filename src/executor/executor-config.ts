import { z } from 'zod';
import { DurationSchema } from '../core/duration.js';

/**
 * `executor.retention`: finished tasks older than `finishedTasks` (their journal, events, spans,
 * working notes and workspace; cost rows stay, marked pruned) are pruned by `agentd serve` at start
 * and every `checkEvery`. Off by default: nothing is deleted unless asked.
 */
export const RetentionConfigSchema = z.strictObject({
  /** How long a finished task is kept, or `off`. */
  finishedTasks: z.union([z.literal('off'), DurationSchema]).default('off'),
  /** How often `agentd serve` prunes. */
  checkEvery: DurationSchema.default('1h'),
});

/**
 * The `executor.dbos` section: DBOS Transact on Postgres as the durable engine (ADR 0085), with
 * workers that share one queue and take over a dead worker's tasks (ADR 0086).
 */
export const DbosConfigSchema = z.strictObject({
  /** The Postgres database DBOS keeps workflows and steps in (`AGENTD_DBOS_URL`). */
  url: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional(),
  /**
   * The version every worker runs: DBOS only runs a workflow on a worker of the version that
   * started it, so all workers of a deployment must share it (a rolling deploy drains the old one).
   */
  applicationVersion: z.string().min(1).max(100).default('1'),
  /**
   * This worker's executor id: stable across restarts (a restarted worker recovers its own tasks at
   * once), unique among live workers (a second process with a live id refuses to start).
   */
  executorId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/)
    .default('local'),
  /** The DBOS queue tasks go through. */
  queue: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .default('agentd-tasks'),
  /** Tasks one worker runs at once (the queue's per-worker concurrency). */
  workerConcurrency: z.number().int().min(1).max(10_000).default(100),
  /** How often a worker writes its heartbeat, seconds. */
  heartbeatSeconds: z.number().min(0.2).max(300).default(2),
  /** A worker whose heartbeat is older than this is dead: its pending tasks are resumed elsewhere. */
  staleAfterSeconds: z.number().min(1).max(3600).default(10),
  /** Times a task may be taken over from a dead worker before it is dead-lettered (failed). */
  maxAttempts: z.number().int().min(1).max(100).default(5),
});

/** What the `executor.dbos` section holds once parsed. */
export type DbosConfig = z.infer<typeof DbosConfigSchema>;

/** The `executor` section: limits that protect a task from runaway loops, and the process from overload. */
export const ExecutorConfigSchema = z.strictObject({
  /** Steps (model calls, tool calls, human waits) one task may take in all. */
  maxTaskSteps: z.number().int().min(1).max(100_000).default(1_000),
  /** How deep delegations and sub-teams may nest. */
  maxDepth: z.number().int().min(0).max(10).default(3),
  /** The same call with the same result this many times (within `loopWindow` actions) stops the agent. */
  loopRepeats: z.number().int().min(2).max(100).default(3),
  /** Recent actions per agent the loop guard remembers. */
  loopWindow: z.number().int().min(2).max(1_000).default(12),
  /**
   * Tasks this process runs at once; more wait in its run queue (in order) for a slot. A running
   * task holds its state in memory, about 0.3 MB, while it waits for its model calls.
   */
  maxRunningTasks: z.number().int().min(1).max(100_000).default(1_000),
  /**
   * Tasks that may wait in the run queue. When it is full, a new task is refused with
   * `task.queue_full` (HTTP 503 with Retry-After) instead of piling up; resumed tasks always queue.
   */
  maxQueuedTasks: z.number().int().min(0).max(1_000_000).default(1_000),
  /**
   * The durable engine: `journal` (agentd's own step journal in its store, the default) or `dbos`
   * (DBOS Transact on Postgres: needs `executor.dbos.url`; tasks go through a queue shared by workers).
   */
  engine: z.enum(['journal', 'dbos']).default('journal'),
  dbos: DbosConfigSchema.prefault({}),
  /** How long finished tasks are kept (see {@link RetentionConfigSchema}). */
  retention: RetentionConfigSchema.prefault({}),
});
