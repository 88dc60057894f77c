import { AgentdError } from '../core/errors.js';
import '../store/store-error-codes.js';
import { z } from 'zod';
import { defineOperation } from './define-operation.js';

const LevelSchema = z.enum(['ok', 'warn', 'fail']);

/** The providers, the embedding model and the vector index, as `agentd doctor` reports them. */
export const checkProviders = defineOperation({
  name: 'providers.check',
  description:
    'Check each configured provider (its key, naming the variable when it is missing; a local server’s reachability), the embedding model and the vector index. `live` also makes one 1-token call per provider (a token or two of cost, straight to the provider) and loads the embedding model, reporting latencies.',
  input: z.strictObject({
    live: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .optional()
      .describe('one 1-token call per provider and load the embedding model (costs a token or two)'),
  }),
  output: z.object({
    providers: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        level: LevelSchema,
        detail: z.string(),
        fix: z.string().optional(),
        model: z.string().optional(),
        latencyMs: z.number().optional(),
      }),
    ),
    embeddings: z.object({
      level: LevelSchema,
      model: z.string().nullable(),
      detail: z.string(),
      fix: z.string().optional(),
      loadMs: z.number().optional(),
    }),
    vectorIndex: z.object({
      level: LevelSchema,
      name: z.string(),
      detail: z.string(),
      fix: z.string().optional(),
    }),
  }),
  permission: 'config.read',
  tenancy: 'none',
  // A live check waits for every provider's answer.
  http: { method: 'GET', path: '/v1/providers/check', timeLimitMs: 60_000 },
  async handler(runtime, input) {
    const [check, stats] = await Promise.all([
      runtime.models.check({ live: input.live === true }),
      // Memory off on Postgres has no memory store to ask (store.unsupported): nothing to search.
      runtime.memory.stats().catch((error: unknown) => {
        if (error instanceof AgentdError && error.code === 'store.unsupported') return null;
        throw error;
      }),
    ]);
    if (stats === null) {
      return { ...check, vectorIndex: { level: 'ok' as const, name: 'none', detail: 'memory is off' } };
    }
    // The Postgres store's quantized scan is its design (pgvector is not used yet), not a fallback.
    const fast = stats.vectorIndex === 'sqlite-vec' || stats.vectorIndex === 'quantized-scan';
    return {
      ...check,
      vectorIndex: {
        level: fast ? ('ok' as const) : ('warn' as const),
        name: stats.vectorIndex,
        detail: stats.vectorIndexDetail ?? stats.vectorIndex,
        ...(fast
          ? {}
          : {
              fix: 'vector search scans every stored vector (correct, slower at scale); reinstall agentd so the sqlite-vec package for this platform is present',
            }),
      },
    };
  },
});
