import { z } from 'zod';
import { DurationSchema, parseDuration } from '../core/duration.js';
import { defineOperation } from './define-operation.js';

const FinishedStatusSchema = z.enum(['succeeded', 'failed', 'cancelled']);

/** Removes finished tasks older than a duration (the same deletion as tasks.delete, for each). */
export const pruneTasks = defineOperation({
  name: 'tasks.prune',
  description:
    'Delete finished tasks (succeeded, failed, cancelled; never queued, running or waiting) that finished more than `olderThan` ago, oldest first, each as tasks.delete does (its cost rows stay, marked pruned). `dryRun` lists what would go and deletes nothing. Every tenant’s tasks.',
  input: z.strictObject({
    olderThan: DurationSchema.describe('how long ago a task must have finished: 90m, 12h, 30d, 2w'),
    status: z
      .array(FinishedStatusSchema)
      .min(1)
      .optional()
      .describe('only tasks with these statuses (default: every finished status)'),
    dryRun: z.boolean().optional().describe('list what would be deleted, delete nothing'),
  }),
  output: z.object({
    dryRun: z.boolean(),
    /** Tasks that finished before this time (ms) were eligible. */
    finishedBefore: z.number(),
    removed: z.number(),
    bytesFreed: z.number(),
    /** The first 1,000 tasks removed (or that would be), oldest first. */
    tasks: z.array(
      z.object({
        id: z.string(),
        status: FinishedStatusSchema,
        finishedAt: z.number(),
        prompt: z.string(),
        bytes: z.number(),
      }),
    ),
    /** More tasks than listed were removed (or would be). */
    truncated: z.boolean(),
    failed: z.array(z.object({ id: z.string(), message: z.string() })),
  }),
  permission: 'tasks.admin',
  tenancy: 'all',
  // Pruning years of tasks takes a while; the client waits for the summary.
  http: { method: 'POST', path: '/v1/tasks/prune', timeLimitMs: 3_600_000 },
  handler(runtime, input, actor, context) {
    return runtime.tasks.prune(
      {
        olderThanMs: parseDuration(input.olderThan) as number,
        ...(input.status ? { status: input.status } : {}),
        ...(input.dryRun ? { dryRun: true } : {}),
      },
      actor,
      {
        ...(context?.cancelled ? { signal: context.cancelled } : {}),
        ...(context?.progress
          ? { progress: (done, message) => context.progress?.({ progress: done, message }) }
          : {}),
      },
    );
  },
});
