import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { MemorySchema, reportedMemory, TenantSchema } from './memory-schemas.js';

/** One memory, whole. */
export const getMemory = defineOperation({
  name: 'memory.get',
  description: 'One memory with its scope, validity, provenance and access counts (404 memory.not_found).',
  input: z.strictObject({ id: z.string().min(1).max(200).describe('memory id'), tenant: TenantSchema }),
  output: MemorySchema,
  permission: 'memory.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/memory/:id' },
  handler: async (runtime, input) => reportedMemory(await runtime.memory.get(input.id, input.tenant)),
});
