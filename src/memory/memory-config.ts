import { z } from 'zod';

/** The `memory` config section: retrieval scoring and recall. */
export const MemoryConfigSchema = z.strictObject({
  /**
   * Recall before every task and an episode after it. Off by default while the memory subsystem is
   * being built (docs/memory.md lists what works).
   */
  enabled: z.boolean().default(false),
  /** The tenant memories belong to when a request names none. */
  tenant: z.string().min(1).default('default'),
  /**
   * `use-lite`: the offline Universal Sentence Encoder Lite (512-d, in-process); `none`: text-only
   * memory (full-text search, no vectors).
   */
  embeddings: z.enum(['use-lite', 'none']).default('use-lite'),
  recall: z
    .strictObject({
      /** At most this many memories are recalled into a task's prompt. */
      limit: z.number().int().min(1).max(50).default(8),
      /** And at most about this many tokens of them. */
      maxTokens: z.number().int().min(50).default(600),
      /** Memories scoring below this (0–1) are not recalled. */
      minScore: z.number().min(0).max(1).default(0.2),
    })
    .prefault({}),
  retrieval: z
    .strictObject({
      /** Reciprocal rank fusion constant: rank r of an index contributes 1 / (rrfK + r). */
      rrfK: z.number().positive().default(60),
      /** Each index is asked for this many times the wanted results before fusion. */
      candidates: z.number().int().min(1).max(50).default(5),
      /** Recency decays by half over this many days since a memory was last recalled (or made). */
      halfLifeDays: z.number().positive().default(30),
      /** The final score: weights of relevance (fused rank), recency, importance and access. */
      weights: z
        .strictObject({
          relevance: z.number().nonnegative().default(0.6),
          recency: z.number().nonnegative().default(0.2),
          importance: z.number().nonnegative().default(0.15),
          access: z.number().nonnegative().default(0.05),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** The `memory` section as parsed. */
export type MemoryConfig = z.infer<typeof MemoryConfigSchema>;
