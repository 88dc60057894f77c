import { z } from 'zod';
import { defineOperation } from './define-operation.js';

/** What the router has learned, per model and task kind, and which circuits are open. */
export const routerStats = defineOperation({
  name: 'router.stats',
  description:
    'Per model and task kind: calls, error rate, learned quality with its 90% interval, p50/p95 latency, spend and calls billed past their max_tokens; plus circuits that are not closed (opened by this process or any other sharing the database) and rate-limited models.',
  input: z.strictObject({}),
  output: z.object({
    stats: z.array(
      z.object({
        modelId: z.string(),
        kind: z.string(),
        calls: z.number(),
        errors: z.number(),
        errorRate: z.number(),
        quality: z.object({ mean: z.number(), low: z.number(), high: z.number(), observations: z.number() }),
        p50Ms: z.number().nullable(),
        p95Ms: z.number().nullable(),
        costUsd: z.number(),
        overMaxTokensCalls: z.number(),
      }),
    ),
    circuits: z.array(
      z.object({
        scope: z.enum(['model', 'provider']),
        id: z.string(),
        state: z.enum(['closed', 'open', 'half-open']),
        openedAt: z.number().optional(),
      }),
    ),
    /** Models inside a rate-limit window (tried last until `until`, ms since the epoch). */
    rateLimited: z.array(z.object({ modelId: z.string(), until: z.number() })),
    /** Models that reported more output than a call's `max_tokens` (the provider billed past the cap). */
    overMaxTokens: z.array(z.object({ modelId: z.string(), calls: z.number() })),
  }),
  permission: 'catalog.read',
  // Its spend and call counts cover every tenant: a tenant-bound key may not read them.
  tenancy: 'all',
  http: { method: 'GET', path: '/v1/router/stats' },
  handler: async (runtime) => runtime.router.stats(),
});
