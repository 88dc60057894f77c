import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { TenantSchema } from './memory-schemas.js';

/** Deletes a memory for good. */
export const forgetMemory = defineOperation({
  name: 'memory.forget',
  description:
    'Delete a memory for good: from the table, the full-text index and the vector index (and the procedure a procedural memory describes).',
  input: z.strictObject({ id: z.string().min(1).max(200), tenant: TenantSchema }),
  output: z.object({ id: z.string(), forgotten: z.literal(true) }),
  permission: 'memory.write',
  tenancy: 'field',
  http: { method: 'DELETE', path: '/v1/memory/:id' },
  async handler(runtime, input, caller) {
    await runtime.memory.forget(input.id, input.tenant, caller);
    return { id: input.id, forgotten: true as const };
  },
});
