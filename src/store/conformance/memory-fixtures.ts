import type { Random } from '../../core/random.js';
import type { MemoryRecord } from '../memory-store.js';

/** A memory with every field set to something unremarkable; tests override what they check. */
export function memoryRecord(overrides: Partial<MemoryRecord> & Pick<MemoryRecord, 'id'>): MemoryRecord {
  return {
    layer: 'semantic',
    tenant: 'acme',
    team: null,
    agent: null,
    taskId: null,
    content: `content of ${overrides.id}`,
    embedding: null,
    embeddingModel: null,
    importance: 0.5,
    createdAt: 1_000,
    lastAccessedAt: 1_000,
    accessCount: 0,
    validFrom: 1_000,
    validTo: null,
    supersededBy: null,
    provenance: { taskId: null, step: null, source: null },
    tags: [],
    ...overrides,
  };
}

/** A vector of uniform random components in −1–1. */
export function randomVector(random: Random, dimensions: number): Float32Array {
  return Float32Array.from({ length: dimensions }, () => random() * 2 - 1);
}

/** Cosine similarity, computed the plain way (the reference searches are checked against). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  a.forEach((x, i) => {
    const y = b[i] as number;
    dot += x * y;
    aa += x * x;
    bb += y * y;
  });
  return dot / Math.sqrt(aa * bb);
}
