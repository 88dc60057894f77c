import { z } from 'zod';

/** The `executor` section: limits that protect a task from runaway loops. */
export const ExecutorConfigSchema = z.strictObject({
  /** Steps (model calls, tool calls, human waits) one task may take in all. */
  maxTaskSteps: z.number().int().min(1).max(100_000).default(1_000),
  /** How deep delegations and sub-teams may nest. */
  maxDepth: z.number().int().min(0).max(10).default(3),
  /** The same call with the same result this many times (within `loopWindow` actions) stops the agent. */
  loopRepeats: z.number().int().min(2).max(100).default(3),
  /** Recent actions per agent the loop guard remembers. */
  loopWindow: z.number().int().min(2).max(1_000).default(12),
});
