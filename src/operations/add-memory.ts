import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import {
  MemoryLayerSchema,
  MemorySchema,
  reportedMemory,
  TagsSchema,
  TenantSchema,
} from './memory-schemas.js';

/** Adds a memory by hand. */
export const addMemory = defineOperation({
  name: 'memory.add',
  description:
    'Add a memory. Junk (instructions, boilerplate, fragments) is refused in every layer (422 memory.refused). A semantic fact is checked like the facts tasks leave: a near-duplicate is merged into the memory it repeats, and a fact that contradicts an earlier one about the same subject supersedes it. `outcome` says which happened.',
  input: z.strictObject({
    content: z.string().trim().min(1).max(20_000),
    layer: MemoryLayerSchema.default('semantic'),
    tenant: TenantSchema,
    importance: z.number().min(0).max(1).optional(),
    tags: TagsSchema.optional(),
    team: z.string().min(1).optional(),
    agent: z.string().min(1).optional(),
    taskId: z.string().min(1).optional(),
    source: z.string().max(20_000).optional().describe('where it came from (provenance)'),
  }),
  output: z.object({
    outcome: z.enum(['added', 'merged', 'superseded']),
    memory: MemorySchema,
    superseded: MemorySchema.optional(),
  }),
  permission: 'memory.write',
  tenancy: 'field',
  http: {
    method: 'POST',
    path: '/v1/memory',
    status: 201,
    // A memory is at most 20,000 characters of content and as much of source, plus tags.
    maxBodyBytes: 256 * 1024,
    errors: { 422: 'Refused as junk (memory.refused)' },
  },
  async handler(runtime, input, caller) {
    const outcome = await runtime.memory.add(input, caller);
    return {
      outcome: outcome.outcome,
      memory: reportedMemory(outcome.memory),
      ...(outcome.outcome === 'superseded' ? { superseded: reportedMemory(outcome.previous) } : {}),
    };
  },
});
