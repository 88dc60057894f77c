import { z } from 'zod';

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
});
