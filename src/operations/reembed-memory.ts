import { z } from 'zod';
import { defineOperation } from './define-operation.js';

/** Re-embeds memories after a change of embedding model. */
export const reembedMemory = defineOperation({
  name: 'memory.reembed',
  description:
    'Embed again every memory whose vector is missing or was made by another model than memory.embeddings (run after changing it). Returns how many were re-embedded and how many were already current.',
  input: z.strictObject({}),
  output: z.object({ model: z.string().nullable(), reembedded: z.number(), current: z.number() }),
  permission: 'memory.admin',
  tenancy: 'all',
  // Embedding a large memory store takes minutes; the client waits for the count.
  http: { method: 'POST', path: '/v1/memory/reembed', timeLimitMs: 3_600_000 },
  handler: (runtime, _input, caller) => runtime.memory.reembed({}, caller),
});
