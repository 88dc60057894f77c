import { z } from 'zod';
import { DURATION_PATTERN } from '../core/duration.js';

/** A duration in config: a whole number and a unit, `90m`, `12h`, `30d`, `2w`. */
const DurationSchema = z
  .string()
  .regex(DURATION_PATTERN, 'a duration such as 90m, 12h, 30d or 2w (a whole number and s, m, h, d or w)');

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
  /** How long finished tasks are kept (see {@link RetentionConfigSchema}). */
  retention: RetentionConfigSchema.prefault({}),
});
