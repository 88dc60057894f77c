import { z } from 'zod';

/** The `memory` config section: retrieval scoring and recall. */
export const MemoryConfigSchema = z.strictObject({
  /** Recall before every task, and an episode, facts and a procedure outcome after it. */
  enabled: z.boolean().default(true),
  /** The tenant memories belong to when a request names none. */
  tenant: z.string().min(1).default('default'),
  /**
   * `use-lite`: the offline Universal Sentence Encoder Lite (512-d, in-process); `none`: text-only
   * memory (full-text search, no vectors); or a configured provider's embedding model
   * (`{ provider: openai, model: text-embedding-3-small }`). After a change, run `agentd memory reembed`.
   */
  embeddings: z
    .union(
      [
        z.enum(['use-lite', 'none']),
        z.strictObject({
          /** The name of a provider in `providers` (type openai or openai-compatible). */
          provider: z.string().min(1),
          model: z.string().min(1),
          /** The vector size, when the model can shorten its vectors (e.g. text-embedding-3). */
          dimensions: z.number().int().positive().optional(),
        }),
      ],
      {
        error:
          'expected use-lite (the offline model), none (text-only memory), or a provider’s model as { provider, model, dimensions? }',
      },
    )
    .default('use-lite'),
  recall: z
    .strictObject({
      /** At most this many memories are recalled into a task's prompt. */
      limit: z.number().int().min(1).max(50).default(8),
      /** And at most about this many tokens of them (the block's heading included). */
      maxTokens: z.number().int().min(50).default(600),
      /**
       * And at most this share of the agent's expected input (its instructions, tools and the task's
       * prompt, about 4 characters a token): a task's first call grows by no more than this however
       * much memory piles up. Recall is skipped when not even one memory fits.
       */
      share: z.number().positive().max(4).default(0.5),
      /**
       * But never less than this many tokens (when `maxTokens` allows): a short question to an agent
       * without tools ("which customer asked about the kettle?") is where memory helps most, and a
       * share of a 20-token call would not fit one memory. 0 makes the share strict.
       */
      minTokens: z.number().int().min(0).default(150),
      /**
       * Memories scoring below this (0–1) are not recalled. 0 by default: full-text relevance is
       * relative to the best candidate, and in a small tenant, where most words are in half of the
       * memories and add almost nothing to BM25, all but the best score near 0; the gate that tells a
       * match from none is a shared content word or `minSimilarity`.
       */
      minScore: z.number().min(0).max(1).default(0),
      /**
       * A memory no full-text match found is recalled only when its embedding's cosine similarity to
       * the task is at least this (unrelated sentences score about 0–0.3 under USE-lite).
       */
      minSimilarity: z.number().min(-1).max(1).default(0.4),
      /** The layers recalled into agents' prompts (procedural memory is read by team design). */
      layers: z
        .array(z.enum(['episodic', 'semantic', 'procedural']))
        .min(1)
        .default(['episodic', 'semantic']),
    })
    .prefault({}),
  facts: z
    .strictObject({
      /**
       * How facts are taken from a finished task's prompt and output: `rules` (declarative
       * sentences, no model call), `model` (one structured call through the router, budgeted
       * and traced like any agent's), or `off`.
       */
      extract: z.enum(['rules', 'model', 'off']).default('rules'),
      /** At most this many facts are kept from one task. */
      maxPerTask: z.number().int().min(1).max(50).default(10),
      /** Cosine similarity at or above which a fact with the same names and numbers is a duplicate. */
      duplicate: z.number().min(0).max(1).default(0.9),
      /** Cosine similarity at or above which a fact about the same subject replaces the older one. */
      related: z.number().min(0).max(1).default(0.8),
    })
    .prefault({}),
  working: z
    .strictObject({
      /** The token budget of a task's working notes (summarised or dropped past it). */
      maxTokens: z.number().int().min(50).default(1000),
      /**
       * Past the budget: `model` folds the oldest notes into one summary by a model call (routed,
       * budgeted, journaled and traced like any agent's; never by the simulated model), falling back
       * to dropping when the call fails; `drop` drops the least important notes.
       */
      overflow: z.enum(['model', 'drop']).default('model'),
    })
    .prefault({}),
  retrieval: z
    .strictObject({
      /** Reciprocal rank fusion constant (`fusion.method: rrf`): rank r contributes 1 / (rrfK + r). */
      rrfK: z.number().positive().default(60),
      /**
       * How the two indexes make one relevance. `blend`: text × (BM25 / the best candidate's) +
       * vector × cosine similarity, over text + vector; `rrf`: text / (rrfK + text rank) + vector /
       * (rrfK + vector rank), min-max normalised over the candidates. The defaults were measured on
       * LoCoMo with the offline USE-lite vectors (docs/benchmarks.md, memory-locomo; ADR 0048); give
       * `vector` more weight with a stronger embedding model.
       */
      fusion: z
        .strictObject({
          method: z.enum(['blend', 'rrf']).default('blend'),
          text: z.number().nonnegative().default(0.7),
          vector: z.number().nonnegative().default(0.3),
        })
        .prefault({}),
      /** Each index is asked for this many times the wanted results before fusion. */
      candidates: z.number().int().min(1).max(50).default(5),
      /** Recency decays by half over this many days since a memory was last recalled (or made). */
      halfLifeDays: z.number().positive().default(30),
      /**
       * The final score: weights of relevance, recency, importance and access. Relevance alone by
       * default, with ties broken by recency, importance and access in that order: any weight on
       * recency let a newer, weaker match pass a better one (LoCoMo, ADR 0048).
       */
      weights: z
        .strictObject({
          relevance: z.number().nonnegative().default(1),
          recency: z.number().nonnegative().default(0),
          importance: z.number().nonnegative().default(0),
          access: z.number().nonnegative().default(0),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** The `memory` section as parsed. */
export type MemoryConfig = z.infer<typeof MemoryConfigSchema>;
