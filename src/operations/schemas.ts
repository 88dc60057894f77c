import { z } from 'zod';

/** The error body of every failed request: `{ error: { code, message, path? } }`. */
export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
});

/** A task's status. */
export const TaskStatusSchema = z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled']);

/** A task as reported (mirrors the executor's TaskResult). */
export const TaskResultSchema = z.object({
  id: z.string(),
  status: TaskStatusSchema,
  prompt: z.string(),
  output: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  cost: z.object({ usd: z.number(), inputTokens: z.number(), outputTokens: z.number() }),
  modelCalls: z.number(),
  toolCalls: z.number(),
  simulated: z.boolean(),
  timings: z.object({
    createdAt: z.number(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    durationMs: z.number().nullable(),
  }),
});

/** A path parameter naming a task. */
export const TaskIdInputSchema = z.strictObject({ id: z.string().min(1).max(200) });
