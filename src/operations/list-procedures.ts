import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { TenantSchema } from './memory-schemas.js';

/** Procedural memory: how teams did per task kind. */
export const listProcedures = defineOperation({
  name: 'memory.procedures',
  description:
    'Procedural memory: outcomes aggregated per task kind, topology, team signature and models (runs, passes, mean cost and duration), most used first.',
  input: z.strictObject({
    tenant: TenantSchema,
    taskKind: z.string().min(1).optional(),
    topology: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(20),
  }),
  output: z.object({
    procedures: z.array(
      z.object({
        taskKind: z.string(),
        topology: z.string(),
        teamSignature: z.string(),
        models: z.string(),
        memoryId: z.string(),
        count: z.number(),
        passes: z.number(),
        passRate: z.number(),
        meanCostUsd: z.number(),
        meanDurationMs: z.number(),
        lastAt: z.number(),
      }),
    ),
  }),
  permission: 'memory.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/memory/procedures' },
  async handler(runtime, input) {
    const procedures = await runtime.memory.procedures(input);
    return {
      procedures: procedures.map((p) => ({
        taskKind: p.taskKind,
        topology: p.topology,
        teamSignature: p.teamSignature,
        models: p.models,
        memoryId: p.memoryId,
        count: p.count,
        passes: p.passes,
        passRate: p.passes / p.count,
        meanCostUsd: p.totalCostUsd / p.count,
        meanDurationMs: p.totalDurationMs / p.count,
        lastAt: p.lastAt,
      })),
    };
  },
});
