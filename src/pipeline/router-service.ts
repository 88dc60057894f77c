import type { ModelCapabilities } from '../models/index.js';
import type { ModelRouter, RouteDecision, RouterStat, Routing, TaskKindResult } from '../router/index.js';

/** A call to explain: a task kind or a prompt to classify, needs and constraints. */
export interface RouteExplainRequest extends Routing {
  /** Text to classify the task kind from, when `kind` is not given. */
  prompt?: string | undefined;
  /** Capabilities the call needs. */
  needs?: Partial<ModelCapabilities> | undefined;
  /** Input tokens of the call (default: counted from `prompt`, else 1000). */
  inputTokens?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** A pinned model, to see its fallbacks. */
  model?: string | undefined;
}

/** A routing decision as explained to a user. */
export interface RouteExplanation extends RouteDecision {
  /** The classifier's answer when the kind came from the prompt. */
  classified?: TaskKindResult;
  inputTokens: number;
  maxOutputTokens: number;
}

/** A circuit breaker that is not closed. */
export interface CircuitStatus {
  scope: 'model' | 'provider';
  id: string;
  state: 'closed' | 'open' | 'half-open';
  openedAt?: number;
}

/** The router as users see it: what it would pick, and what it has learned. */
export interface RouterService {
  /** What the router would pick for a call like this, with every candidate's scores (nothing is called or counted). */
  explain(request: RouteExplainRequest): RouteExplanation;
  /**
   * What the router has learned per model and task kind, its circuits that are not closed and the
   * models inside a rate-limit window (this process's, and those another process wrote before this
   * one started).
   */
  stats(): {
    stats: RouterStat[];
    circuits: CircuitStatus[];
    rateLimited: { modelId: string; until: number }[];
    /** Models whose usage passed the `max_tokens` a call asked for, with how many calls did. */
    overMaxTokens: { modelId: string; calls: number }[];
  };
}

/** Creates the router service; `defaultMaxOutputTokens` is the output cap of calls that name none. */
export function createRouterService(deps: {
  router: ModelRouter;
  defaultMaxOutputTokens: number;
}): RouterService {
  const { router } = deps;
  return {
    explain(request) {
      const classified =
        request.kind === undefined && request.prompt ? router.classify(request.prompt) : undefined;
      const inputTokens =
        request.inputTokens ?? (request.prompt ? Buffer.byteLength(request.prompt, 'utf8') : 1000);
      const maxOutputTokens = request.maxOutputTokens ?? deps.defaultMaxOutputTokens;
      const decision = router.decide(
        {
          kind: request.kind ?? classified?.kind ?? 'chat',
          needs: request.needs ?? {},
          inputTokens,
          maxOutputTokens,
          constraints: {
            ...(request.minQuality !== undefined ? { minQuality: request.minQuality } : {}),
            ...(request.maxLatencyMs !== undefined ? { maxLatencyMs: request.maxLatencyMs } : {}),
            ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
          },
          objective: request.objective,
          pinned: request.model,
          noExploration: request.strategy === 'cascade',
        },
        { explain: true },
      );
      return { ...decision, ...(classified ? { classified } : {}), inputTokens, maxOutputTokens };
    },
    stats() {
      const stats = router.stats();
      return {
        stats,
        circuits: router.health.states().filter((c) => c.state !== 'closed'),
        rateLimited: router.health.rateLimits().map((r) => ({ modelId: r.id, until: r.until })),
        overMaxTokens: stats
          .filter((s) => s.kind === '*' && s.overMaxTokensCalls > 0)
          .map((s) => ({ modelId: s.modelId, calls: s.overMaxTokensCalls })),
      };
    },
  };
}
