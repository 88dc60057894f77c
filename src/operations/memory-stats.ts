import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { MemoryLayerSchema, TenantSchema } from './memory-schemas.js';

/** What a tenant's memory holds. */
export const memoryStats = defineOperation({
  name: 'memory.stats',
  description:
    'Counts of a tenant’s memories: current ones per layer, superseded facts, memories per embedding model (`none`: memories without a vector); the vector index in use and the configured embedding model.',
  input: z.strictObject({ tenant: TenantSchema }),
  output: z.object({
    tenant: z.string(),
    layers: z.record(MemoryLayerSchema, z.number()),
    superseded: z.number(),
    embeddingModels: z.record(z.string(), z.number()),
    vectorIndex: z.string(),
    /** The vector index's version, or why the sqlite-vec extension is not in use. */
    vectorIndexDetail: z.string().nullable(),
    embeddingModel: z.string().nullable(),
  }),
  permission: 'memory.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/memory/stats' },
  handler: (runtime, input) => runtime.memory.stats(input.tenant),
});
