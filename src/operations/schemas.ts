import { z } from 'zod';

/** The error body of every failed request: `{ error: { code, message, path? } }`. */
export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    path: z.string().optional(),
    /** The request's `X-Request-Id`, to find it in the server log. */
    requestId: z.string().optional(),
  }),
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
  /** Calls a crash cut short (their cost unknown): in `cost` at their estimate, not in `modelCalls`. */
  interruptedCalls: z.number().optional(),
  /** The same calls by who made them: the task's agents, team design (Forge), judges, memory. */
  modelCallsBy: z.object({ agents: z.number(), forge: z.number(), judges: z.number(), memory: z.number() }),
  toolCalls: z.number(),
  /** What memory recall put before the prompt: memories, and their tokens (about 4 characters each). */
  memory: z.object({ recalled: z.number(), recallTokens: z.number() }).optional(),
  simulated: z.boolean(),
  /** What the topology reports beyond the output (rounds, votes, approval state, …). */
  details: z.json().optional(),
  /** For a failed or cancelled task: the outputs of the agents that had finished. */
  partial: z.array(z.object({ agent: z.string(), output: z.string() })).optional(),
  /** For a waiting task: the reviews it waits on (answer them with POST /v1/reviews/:id). */
  reviews: z.array(z.object({ id: z.string(), kind: z.string(), question: z.string() })).optional(),
  timings: z.object({
    createdAt: z.number(),
    startedAt: z.number().nullable(),
    finishedAt: z.number().nullable(),
    durationMs: z.number().nullable(),
  }),
});

/** A path parameter naming a task. */
export const TaskIdInputSchema = z.strictObject({ id: z.string().min(1).max(200).describe('task id') });

/** A review's status; `all` (in queries) means any. */
export const ReviewStatusSchema = z.enum(['pending', 'answered', 'cancelled']);

/** How a human answered a review. */
export const ReviewDecisionSchema = z.enum(['approve', 'reject', 'edit']);

/** A request for a human decision that a waiting task is suspended on (mirrors ReviewRecord). */
export const ReviewSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  /** The durable step of the task that waits on the answer. */
  stepKey: z.string(),
  /** What is asked, e.g. `tool-approval`. */
  kind: z.string(),
  question: z.string(),
  /** What the decision is about (for `tool-approval`: `{ agent, tool, input }`). */
  payload: z.json().nullable(),
  status: ReviewStatusSchema,
  answer: z
    .object({ decision: ReviewDecisionSchema, note: z.string().nullable(), payload: z.json().nullable() })
    .nullable(),
  createdAt: z.number(),
  answeredAt: z.number().nullable(),
});
