import { z } from 'zod';
import { TaskKindDefinitionSchema } from './task-kind.js';

const ModelIdSchema = z.string().regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' });

/** How the router ranks the candidates that meet a call's constraints. */
export const ObjectiveSchema = z.enum(['cheapest', 'best', 'balanced']);

/** `single`: one model per call (fallbacks only on errors); `cascade`: cheapest first, escalate when checks fail. */
export const StrategySchema = z.enum(['single', 'cascade']);

/** What a call may ask of the router, besides capabilities (agent files, requests, config defaults). */
export const RouteConstraintsSchema = z.strictObject({
  /** Expected quality (0–1, learned per model and task kind) a model must reach. */
  minQuality: z.number().min(0).max(1).optional(),
  /** The model's observed p95 latency must be at most this, ms (models not yet observed pass). */
  maxLatencyMs: z.number().positive().optional(),
  /** The call's estimated cost must be at most this, USD. */
  maxCostUsd: z.number().nonnegative().optional(),
});

/** The `router` config section: objective, learning, failure handling and task kinds. */
export const RouterConfigSchema = z.strictObject({
  /**
   * What agents that name no model and state no requirements use: `default`, the default model
   * (`models.default`), with the router's fallbacks; `route`, the router's pick by objective.
   */
  unpinned: z.enum(['default', 'route']).default('default'),
  objective: ObjectiveSchema.default('cheapest'),
  strategy: StrategySchema.default('single'),
  /** Constraints of every call that sets none of its own. */
  constraints: RouteConstraintsSchema.default({}),
  /** `balanced`: score = quality·w.quality − normalised cost·w.cost − normalised p95·w.latency. */
  weights: z
    .strictObject({
      quality: z.number().nonnegative().default(1),
      cost: z.number().nonnegative().default(0.3),
      latency: z.number().nonnegative().default(0.1),
    })
    .prefault({}),
  /**
   * Thompson sampling: the quality used to rank is drawn from each model's posterior. `share` caps
   * the fraction of calls whose pick differs from the pick on posterior means (0 turns it off).
   */
  exploration: z
    .strictObject({
      share: z.number().min(0).max(1).default(0.1),
      /** Seed of the sampler, for reproducible runs (default: random). */
      seed: z.number().int().optional(),
    })
    .prefault({}),
  /** Learning: which posterior ranks quality, and how much the catalog prior weighs. */
  learning: z
    .strictObject({
      posterior: z.enum(['beta', 'gaussian']).default('beta'),
      /** The prior counts as this many observations. */
      priorStrength: z.number().positive().default(4),
      /** Quality assumed for a model and task kind the catalog gives no prior for. */
      defaultQuality: z.number().min(0).max(1).default(0.6),
      /** Weight of a new latency sample in the moving average. */
      latencyAlpha: z.number().gt(0).max(1).default(0.2),
      /** Latencies kept per model for p50/p95, and output lengths per model and kind for the p95 a budget reserves. */
      latencyWindow: z.number().int().min(10).max(10_000).default(100),
    })
    .prefault({}),
  /** Output tokens assumed for cost estimates until a model's mean output is observed. */
  expectedOutputTokens: z.number().int().positive().default(500),
  retry: z
    .strictObject({
      /** Retries after the first attempt, per candidate, for retryable errors. */
      maxRetries: z.number().int().min(0).max(10).default(2),
      initialDelayMs: z.number().int().min(0).default(500),
      maxDelayMs: z.number().int().min(0).default(10_000),
      /** A Retry-After longer than this is not waited for: the call falls back instead. */
      maxRetryAfterMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
  breaker: z
    .strictObject({
      consecutiveFailures: z.number().int().min(1).default(5),
      errorRate: z.number().gt(0).max(1).default(0.5),
      window: z.number().int().min(2).default(20),
      minimumCalls: z.number().int().min(1).default(10),
      halfOpenAfterMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
  /** Models to try, in order, when a model fails (before the router's own ranking of the rest). */
  fallbacks: z.record(ModelIdSchema, z.array(ModelIdSchema)).default({}),
  /** The model a call goes to when a model refuses it on content-policy grounds. */
  refusalFallback: ModelIdSchema.optional(),
  /** `cascade`: at most this many models are tried for one answer. */
  cascade: z.strictObject({ maxModels: z.number().int().min(2).max(10).default(3) }).prefault({}),
  /** Task kinds: a kind named like a shipped one replaces it, a new name adds one. */
  kinds: z.array(TaskKindDefinitionSchema).default([]),
});

/** A task's or an agent's routing request: objective, strategy, kind and constraints. */
export const RoutingSchema = z.strictObject({
  /** The task kind calls are routed and learned as (default: classified from the input). */
  kind: z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/)
    .optional(),
  objective: ObjectiveSchema.optional(),
  strategy: StrategySchema.optional(),
  ...RouteConstraintsSchema.shape,
});

/** The `router` section as parsed. */
export type RouterConfig = z.infer<typeof RouterConfigSchema>;
/** A routing objective. */
export type Objective = z.infer<typeof ObjectiveSchema>;
/** A routing strategy. */
export type Strategy = z.infer<typeof StrategySchema>;
/** A routing request. */
export type Routing = z.infer<typeof RoutingSchema>;
/** Per-call routing constraints. */
export type RouteConstraints = z.infer<typeof RouteConstraintsSchema>;
