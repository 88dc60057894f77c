import { z } from 'zod';
import type { MemoryRecord } from '../store/memory-store.js';

/** A memory layer. */
export const MemoryLayerSchema = z.enum(['working', 'episodic', 'semantic', 'procedural']);

/** A memory as reported: every field but the vector itself. */
export const MemorySchema = z.object({
  id: z.string(),
  layer: MemoryLayerSchema,
  tenant: z.string(),
  team: z.string().nullable(),
  agent: z.string().nullable(),
  taskId: z.string().nullable(),
  content: z.string(),
  embeddingModel: z.string().nullable(),
  importance: z.number(),
  createdAt: z.number(),
  lastAccessedAt: z.number(),
  accessCount: z.number(),
  validFrom: z.number(),
  validTo: z.number().nullable(),
  supersededBy: z.string().nullable(),
  provenance: z.object({
    taskId: z.string().nullable(),
    step: z.string().nullable(),
    source: z.string().nullable(),
  }),
  tags: z.array(z.string()),
});

/** A memory without its vector (vectors are large and of no use to a reader). */
export function reportedMemory(memory: MemoryRecord): z.input<typeof MemorySchema> {
  const { embedding, ...rest } = memory;
  void embedding;
  return rest;
}

/** The tenant a request is about; the configured `memory.tenant` when absent. */
export const TenantSchema = z.string().min(1).max(200).optional().describe('default: memory.tenant');

/** Layers as a list, or comma-separated in a query string (`layer=episodic,semantic`). */
export const LayersSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((layer) => layer.trim()) : value),
  z.array(MemoryLayerSchema).min(1),
);

/** Tags as a list, or comma-separated in a query string. */
export const TagsSchema = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((tag) => tag.trim())
          .filter(Boolean)
      : value,
  z.array(z.string().min(1).max(100)).max(50),
);
