import { newId } from '../core/ids.js';
import type { MemoryLayer, MemoryRecord } from '../store/memory-store.js';

/**
 * A new memory made now: a fresh id, no vector, importance 0.5, valid from now, never recalled;
 * `fields` set the rest (scope, vector, provenance, tags, …).
 */
export function newMemory(
  base: { tenant: string; layer: MemoryLayer; content: string; now: number },
  fields: Partial<Omit<MemoryRecord, 'tenant' | 'layer' | 'content'>> = {},
): MemoryRecord {
  const { now } = base;
  return {
    id: newId('mem', now),
    tenant: base.tenant,
    layer: base.layer,
    team: null,
    agent: null,
    taskId: null,
    content: base.content,
    embedding: null,
    embeddingModel: null,
    importance: 0.5,
    createdAt: now,
    lastAccessedAt: now,
    accessCount: 0,
    validFrom: now,
    validTo: null,
    supersededBy: null,
    provenance: { taskId: null, step: null, source: null },
    tags: [],
    ...fields,
  };
}
