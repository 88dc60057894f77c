import { z } from 'zod';
import { ObjectiveSchema, StrategySchema } from '../router/index.js';
import { defineOperation } from './define-operation.js';

const QualitySchema = z.object({
  mean: z.number(),
  low: z.number(),
  high: z.number(),
  observations: z.number(),
});

/** What the router would pick for a call, and why; nothing is called and nothing is counted. */
export const explainRoute = defineOperation({
  name: 'router.explain',
  description:
    'Explain a routing decision: the candidates, their expected quality, estimated cost and p95 latency, which constraints rule each out, and the pick.',
  input: z.strictObject({
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_-]*$/)
      .optional()
      .describe('The task kind (default: classified from prompt, else chat)'),
    prompt: z.string().max(200_000).optional().describe('Text to classify the task kind from'),
    objective: ObjectiveSchema.optional(),
    strategy: StrategySchema.optional(),
    minQuality: z.coerce.number().min(0).max(1).optional(),
    maxLatencyMs: z.coerce.number().positive().optional(),
    maxCostUsd: z.coerce.number().nonnegative().optional(),
    needs: z
      // A query string gives one value or several (`needs=tools&needs=json`).
      .preprocess(
        (value) => (typeof value === 'string' ? [value] : value),
        z.array(z.enum(['tools', 'json', 'vision'])),
      )
      .default([])
      .describe('Capabilities the call needs'),
    inputTokens: z.coerce.number().int().nonnegative().optional(),
    maxOutputTokens: z.coerce.number().int().positive().optional(),
    model: z
      .string()
      .regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' })
      .optional()
      .describe('A pinned model, to see its fallbacks'),
  }),
  output: z.object({
    kind: z.string(),
    classified: z
      .object({ kind: z.string(), confidence: z.number(), scores: z.record(z.string(), z.number()) })
      .optional(),
    objective: ObjectiveSchema,
    strategy: StrategySchema,
    constraints: z.record(z.string(), z.number()),
    inputTokens: z.number(),
    maxOutputTokens: z.number(),
    order: z.array(z.string()),
    reason: z.string(),
    explored: z.boolean(),
    relaxed: z.array(z.string()),
    candidates: z.array(
      z.object({
        id: z.string(),
        feasible: z.boolean(),
        excluded: z.string().optional(),
        quality: QualitySchema,
        sampledQuality: z.number().optional(),
        costUsd: z.number(),
        p95Ms: z.number().optional(),
        score: z.number(),
      }),
    ),
  }),
  permission: 'catalog.read',
  tenancy: 'none',
  http: { method: 'GET', path: '/v1/router/explain' },
  handler: async (runtime, input) =>
    runtime.router.explain({
      ...input,
      needs: Object.fromEntries(input.needs.map((need) => [need, true])),
    }),
});
