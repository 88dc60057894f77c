import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import {
  IsoTimeSchema,
  LayersSchema,
  MemoryLayerSchema,
  MemorySchema,
  reportedMemory,
  TagsSchema,
  TenantSchema,
} from './memory-schemas.js';

/** Hybrid search over a tenant's memories, with each result's score components. */
export const searchMemory = defineOperation({
  name: 'memory.search',
  description:
    'Search memories: full-text (BM25) and vector similarity fused by reciprocal rank, re-scored by recency, importance and access. Filter by layer, team, agent, task, tags and when a memory was made (`after` inclusive, `before` exclusive). Each result has its score and the components of it.',
  input: z
    .strictObject({
      q: z.string().min(1).max(10_000).describe('what to look for'),
      tenant: TenantSchema,
      layer: LayersSchema.optional().describe('layers, comma-separated (default: all)'),
      team: z.string().min(1).optional(),
      agent: z.string().min(1).optional(),
      taskId: z.string().min(1).optional(),
      tags: TagsSchema.optional().describe('tags a memory must all have, comma-separated'),
      after: IsoTimeSchema.optional().describe(
        'only memories made at or after this ISO 8601 date (midnight UTC) or date-time with a time zone',
      ),
      before: IsoTimeSchema.optional().describe(
        'only memories made before this ISO 8601 date (midnight UTC) or date-time with a time zone',
      ),
      superseded: z.stringbool().optional().describe('include superseded facts (default false)'),
      mode: z.enum(['hybrid', 'text', 'vector']).optional(),
      limit: z.coerce.number().int().min(1).max(100).default(10),
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
  permission: 'read',
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
  permission: 'write',
  http: {
    method: 'POST',
    path: '/v1/memory',
    status: 201,
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
    embeddingModel: z.string().nullable(),
  }),
  permission: 'read',
  http: { method: 'GET', path: '/v1/memory/stats' },
  handler: (runtime, input) => runtime.memory.stats(input.tenant),
});

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
  permission: 'read',
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

/** Re-embeds memories after a change of embedding model. */
export const reembedMemory = defineOperation({
  name: 'memory.reembed',
  description:
    'Embed again every memory whose vector is missing or was made by another model than memory.embeddings (run after changing it). Returns how many were re-embedded and how many were already current.',
  input: z.strictObject({}),
  output: z.object({ model: z.string().nullable(), reembedded: z.number(), current: z.number() }),
  permission: 'admin',
  http: { method: 'POST', path: '/v1/memory/reembed' },
  handler: (runtime, _input, caller) => runtime.memory.reembed({}, caller),
});

/** One memory, whole. */
export const getMemory = defineOperation({
  name: 'memory.get',
  description: 'One memory with its scope, validity, provenance and access counts (404 memory.not_found).',
  input: z.strictObject({ id: z.string().min(1).max(200), tenant: TenantSchema }),
  output: MemorySchema,
  permission: 'read',
  http: { method: 'GET', path: '/v1/memory/:id' },
  handler: async (runtime, input) => reportedMemory(await runtime.memory.get(input.id, input.tenant)),
});

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
  permission: 'write',
  http: { method: 'POST', path: '/v1/memory/:id' },
  handler: async (runtime, { id, ...edit }, caller) =>
    reportedMemory(await runtime.memory.edit(id, edit, caller)),
});

/** Deletes a memory for good. */
export const forgetMemory = defineOperation({
  name: 'memory.forget',
  description:
    'Delete a memory for good: from the table, the full-text index and the vector index (and the procedure a procedural memory describes).',
  input: z.strictObject({ id: z.string().min(1).max(200), tenant: TenantSchema }),
  output: z.object({ id: z.string(), forgotten: z.literal(true) }),
  permission: 'write',
  http: { method: 'DELETE', path: '/v1/memory/:id' },
  async handler(runtime, input, caller) {
    await runtime.memory.forget(input.id, input.tenant, caller);
    return { id: input.id, forgotten: true as const };
  },
});

/** The audit log. */
export const listAudit = defineOperation({
  name: 'audit.list',
  description: 'The audit log of changes made through operations (who, what, which record), newest first.',
  input: z.strictObject({
    action: z.string().min(1).optional(),
    target: z.string().min(1).optional(),
    tenant: z
      .string()
      .min(1, 'must not be empty (leave the tenant out for every tenant’s events)')
      .max(200)
      .optional()
      .describe('only this tenant’s events (default: all)'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    before: z.string().optional(),
  }),
  output: z.object({
    events: z.array(
      z.object({
        id: z.string(),
        at: z.number(),
        actor: z.string(),
        action: z.string(),
        target: z.string(),
        tenant: z.string().nullable(),
        details: z.json(),
      }),
    ),
    next: z.string().nullable(),
  }),
  permission: 'admin',
  http: { method: 'GET', path: '/v1/audit' },
  async handler(runtime, input) {
    const events = await runtime.listAudit(input);
    return { events, next: events.length === input.limit ? (events.at(-1)?.id ?? null) : null };
  },
});
