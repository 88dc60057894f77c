import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import {
  IsoTimeSchema,
  LayersSchema,
  MemorySchema,
  reportedMemory,
  TagsSchema,
  TenantSchema,
} from './memory-schemas.js';

/** Hybrid search over a tenant's memories, with each result's score components. */
export const searchMemory = defineOperation({
  name: 'memory.search',
  description:
    'Search memories: full-text (BM25) and vector similarity blended into one relevance (memory.retrieval.fusion), ties broken by recency, importance and access. Filter by layer, team, agent, task, tags and when a memory was made (`after` inclusive, `before` exclusive). Each result has its score and the components of it.',
  input: z
    .strictObject({
      q: z.string().min(1).max(10_000).describe('what to look for'),
      tenant: TenantSchema,
      layer: LayersSchema.optional().describe('layers, comma-separated (default: all)'),
      team: z.string().min(1).optional().describe("only this team's memories"),
      agent: z.string().min(1).optional().describe("only this agent's memories"),
      taskId: z.string().min(1).optional().describe("only this task's memories"),
      tags: TagsSchema.optional().describe('tags a memory must all have, comma-separated'),
      after: IsoTimeSchema.optional().describe(
        'only memories made at or after this ISO 8601 date (midnight UTC) or date-time with a time zone',
      ),
      before: IsoTimeSchema.optional().describe(
        'only memories made before this ISO 8601 date (midnight UTC) or date-time with a time zone',
      ),
      superseded: z.stringbool().optional().describe('include superseded facts (default false)'),
      mode: z.enum(['hybrid', 'text', 'vector']).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(10).describe('how many'),
    })
    .refine(
      (input) => input.after === undefined || input.before === undefined || input.after < input.before,
      { message: 'must be later than after', path: ['before'] },
    ),
  output: z.object({
    results: z.array(
      z.object({
        memory: MemorySchema,
        score: z.number(),
        components: z.object({
          relevance: z.number(),
          textRank: z.number().nullable(),
          vectorRank: z.number().nullable(),
          vectorSimilarity: z.number().nullable(),
          recency: z.number(),
          importance: z.number(),
          access: z.number(),
        }),
      }),
    ),
  }),
  permission: 'memory.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/memory' },
  async handler(runtime, input) {
    const results = await runtime.memory.search({
      text: input.q,
      limit: input.limit,
      tenant: input.tenant,
      layers: input.layer,
      team: input.team,
      agent: input.agent,
      taskId: input.taskId,
      tags: input.tags,
      createdAfter: input.after,
      createdBefore: input.before,
      includeSuperseded: input.superseded,
      mode: input.mode,
    });
    return { results: results.map((r) => ({ ...r, memory: reportedMemory(r.memory) })) };
  },
});
