import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { MemorySchema, reportedMemory, TagsSchema, TenantSchema } from './memory-schemas.js';

/** Changes a memory's content, importance or tags. */
export const editMemory = defineOperation({
  name: 'memory.edit',
  description: 'Change a memory’s content (embedded again), importance or tags.',
  input: z
    .strictObject({
      id: z.string().min(1).max(200),
      tenant: TenantSchema,
      content: z.string().trim().min(1).max(20_000).optional(),
      importance: z.number().min(0).max(1).optional(),
      tags: TagsSchema.optional(),
    })
    .refine(
      (input) => input.content !== undefined || input.importance !== undefined || input.tags !== undefined,
      {
        message: 'give at least one of content, importance, tags',
      },
    ),
  output: MemorySchema,
  permission: 'memory.write',
  tenancy: 'field',
  http: { method: 'POST', path: '/v1/memory/:id', maxBodyBytes: 256 * 1024 },
  handler: async (runtime, { id, ...edit }, caller) =>
    reportedMemory(await runtime.memory.edit(id, edit, caller)),
});
