import { z } from 'zod';

/** The `memory` config section: retrieval scoring and recall. */
export const MemoryConfigSchema = z.strictObject({
  /** The tenant memories belong to when a request names none. */
  tenant: z.string().min(1).default('default'),
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
