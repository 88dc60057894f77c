import { setTimeout as delay } from 'node:timers/promises';
import { AgentdError, ModelCallError } from '../core/errors.js';
import '../models/model-error-codes.js';
import type { Logger } from '../core/logger.js';
import type { ModelCapabilities, ModelInfo, ResolvedModel } from '../models/index.js';
import type { RouterStore } from '../store/router-store.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle, Tracer } from '../trace/index.js';
import { classifyModelError, isAgentdOwnError, modelErrorCode } from './classify-model-error.js';
import type { ClassifiedModelError } from './classify-model-error.js';
import { createModelHealth } from './model-health.js';
import type { ModelHealth } from './model-health.js';
import { createModelKnowledge, quantile } from './model-knowledge.js';
import type { ModelKnowledge } from './model-knowledge.js';
import { seededRandom } from './random.js';
import type { Random } from './random.js';
import type { Objective, RouteConstraints, RouterConfig, Strategy } from './router-config.js';
import { selectModel } from './select-model.js';
import type { Selection } from './select-model.js';
import { createTaskKindClassifier } from './task-kind.js';
import type { TaskKindClassifier, TaskKindResult } from './task-kind.js';

/** One model call's routing request. */
export interface RouteRequest {
  /** The task kind; classified from `text` when not given. */
  kind?: string | undefined;
  /** The text to classify the kind from (the agent's input). */
  text?: string | undefined;
  needs: Partial<ModelCapabilities>;
  /** Input tokens (an upper bound is fine) and the output cap. */
  inputTokens: number;
  maxOutputTokens: number;
  /** Merged over the configured constraints, key by key. */
  constraints?: RouteConstraints | undefined;
  objective?: Objective | undefined;
  /** A model the agent pinned; the router adds fallbacks. */
  pinned?: string | undefined;
  /** Models not to pick (rejected earlier in a cascade). */
  exclude?: readonly string[] | undefined;
  /** Never explore (cascades, explanations). */
  noExploration?: boolean | undefined;
}

/** A routing decision: the selection plus what it was asked. */
export interface RouteDecision extends Selection {
  kind: string;
  objective: Objective;
  strategy: Strategy;
  constraints: RouteConstraints;
}

/** Where the router's spans go (the calling agent's span). */
export interface RouteTrace {
  tracer: Tracer;
  parent: SpanHandle;
  taskId: string;
}

/** One try of a call on one model; `usage` feeds the router's cost and token statistics. */
export type RouteAttempt<T> = (
  model: ResolvedModel,
  signal: AbortSignal,
) => Promise<{
  value: T;
  usage?: { costUsd: number; inputTokens: number; outputTokens: number };
  /** Time the attempt spent waiting before it called the model (for its budget), left out of the model's latency. */
  waitedMs?: number;
}>;

/** Per model and task kind, what the router has learned. */
export interface RouterStat {
  modelId: string;
  kind: string;
  calls: number;
  errors: number;
  errorRate: number;
  quality: { mean: number; low: number; high: number; observations: number };
  p50Ms: number | null;
  p95Ms: number | null;
  costUsd: number;
  /** Calls whose reported output passed the `max_tokens` they asked for. */
  overMaxTokensCalls: number;
}

/** Selects, calls with retries and fallbacks, and learns; every model call goes through it. */
export interface ModelRouter {
  classify(text: string): TaskKindResult;
  /** Decides without calling: exploration is counted only for calls (`explain` never explores). */
  decide(request: RouteRequest, options?: { explain?: boolean }): RouteDecision;
  /**
   * Runs `attempt` on the decision's models in order, each under its circuit breakers with
   * retries, falling back by error class; returns the first success. AgentdErrors thrown by the
   * attempt (budget, cancellation, a stream cut after output was shown) end the call unchanged.
   */
  call<T>(
    request: RouteRequest,
    attempt: RouteAttempt<T>,
    options: { signal: AbortSignal; trace?: RouteTrace },
  ): Promise<{ value: T; model: ResolvedModel; decision: RouteDecision }>;
  /** A check result or judge verdict for a model's output on a task kind. */
  observe(observation: { modelId: string; kind: string } & ({ pass: boolean } | { score: number })): void;
  stats(): RouterStat[];
  /**
   * The p95 of the model's recent output lengths on the task kind, or undefined before its first
   * call on it: what a budget reserves for a call's output.
   */
  expectedOutputTokens(call: { modelId: string; kind: string }): number | undefined;
  readonly health: ModelHealth;
  /** Applies a changed `router` config section (hot reload); learned knowledge is kept. */
  reconfigure(config: RouterConfig): void;
  /** Reads persisted knowledge. */
  load(): Promise<void>;
  /** Writes pending knowledge. */
  flush(): Promise<void>;
}

/** Options of {@link createModelRouter}. */
export interface ModelRouterOptions {
  config: RouterConfig;
  /** The models calls may go to (configured providers; re-read on every decision, so catalog changes apply at once). */
  candidates(): readonly ModelInfo[];
  resolve(id: string): ResolvedModel;
  store: RouterStore;
  now?: () => number;
  logger?: Logger;
}

/** The model router. */
export function createModelRouter(options: ModelRouterOptions): ModelRouter {
  const now = options.now ?? Date.now;
  let config = options.config;
  let classifier: TaskKindClassifier = createTaskKindClassifier({ kinds: config.kinds });
  let random: Random =
    config.exploration.seed === undefined ? Math.random : seededRandom(config.exploration.seed);
  const knowledge: ModelKnowledge = createModelKnowledge({
    posterior: config.learning.posterior,
    latencyAlpha: config.learning.latencyAlpha,
    latencyWindow: config.learning.latencyWindow,
    now,
  });
  const health = createModelHealth({ retry: config.retry, breaker: config.breaker, now, onChange: persist });
  let decisions = 0;
  let explorations = 0;
  let writes = Promise.resolve();

  // Learned knowledge is written in batches: at most one write per PERSIST_DELAY_MS, and on
  // flush/close. A crash loses at most that window of learning, never a task's data.
  let pending: NodeJS.Timeout | undefined;
  function persist(): void {
    if (pending) return;
    pending = setTimeout(writeChanged, PERSIST_DELAY_MS);
    pending.unref();
  }

  function writeChanged(): Promise<void> {
    clearTimeout(pending);
    pending = undefined;
    const changed = knowledge.takeChanged();
    // Circuits and rate-limit windows go in the same batch, so other processes show them too.
    const healthChanged = health.takeChanged();
    if (changed.length > 0 || healthChanged.length > 0) {
      writes = writes
        .then(() => options.store.upsert(changed, healthChanged))
        .catch((error: unknown) =>
          options.logger?.warn('router: could not persist what it learned', { reason: String(error) }),
        );
    }
    return writes;
  }

  function decide(request: RouteRequest, { explain = false } = {}): RouteDecision {
    const kind = request.kind ?? classifier.classify(request.text ?? '').kind;
    const constraints = { ...config.constraints, ...request.constraints };
    const objective = request.objective ?? config.objective;
    // Exploration is capped as a share of calls: it may happen only while the share so far is below.
    const explore =
      !explain &&
      !request.noExploration &&
      config.exploration.share > 0 &&
      explorations < config.exploration.share * (decisions + 1);
    const selection = selectModel(
      {
        kind,
        needs: request.needs,
        inputTokens: request.inputTokens,
        maxOutputTokens: request.maxOutputTokens,
        constraints,
        objective,
        pinned: request.pinned,
        exclude: request.exclude,
        explore,
      },
      {
        candidates: withPinned(options.candidates(), request.pinned),
        knowledge,
        config,
        random,
        available: (info) => health.available({ id: info.id, provider: info.provider }),
      },
    );
    if (!explain) {
      decisions += 1;
      if (selection.explored) explorations += 1;
    }
    return { ...deprioritiseRateLimited(selection), kind, objective, strategy: config.strategy, constraints };
  }

  /**
   * Moves models inside a rate-limit window after the others (soonest free first): they are tried
   * only when nothing else can take the call, even when pinned.
   */
  function deprioritiseRateLimited(selection: Selection): Selection {
    const limited = selection.order
      .map((id) => ({ id, until: health.rateLimitedUntil(id) }))
      .filter((m): m is { id: string; until: number } => m.until !== undefined);
    if (limited.length === 0 || limited.length === selection.order.length) return selection;
    limited.sort((a, b) => a.until - b.until);
    const names = new Set(limited.map((m) => m.id));
    const when = (until: number) => `${Math.ceil((until - now()) / 1000)} s`;
    return {
      ...selection,
      order: [...selection.order.filter((id) => !names.has(id)), ...limited.map((m) => m.id)],
      reason: `${selection.reason}; tried last, rate-limited: ${limited.map((m) => `${m.id} for ${when(m.until)}`).join(', ')}`,
    };
  }

  /** What is known of a model that is not a candidate now (e.g. its provider was removed). */
  function describe(id: string): ModelInfo | undefined {
    try {
      return options.resolve(id).info;
    } catch {
      // Learned about a model no configured provider serves any more: its prior is the default.
      return undefined;
    }
  }

  /** A pinned model is a candidate even when the catalog does not list it (e.g. an undiscovered local model). */
  function withPinned(candidates: readonly ModelInfo[], pinned: string | undefined): readonly ModelInfo[] {
    if (pinned === undefined || candidates.some((m) => m.id === pinned)) return candidates;
    return [...candidates, options.resolve(pinned).info];
  }

  async function call<T>(
    request: RouteRequest,
    attempt: RouteAttempt<T>,
    { signal, trace }: { signal: AbortSignal; trace?: RouteTrace },
  ): Promise<{ value: T; model: ResolvedModel; decision: RouteDecision }> {
    const decision = decide(request);
    traceDecision(trace, decision);
    const queue = [...decision.order];
    const failures: { model: string; error: ClassifiedModelError }[] = [];
    let lastError: unknown;
    const targetOf = (id: string) => ({ id, provider: options.resolve(id).info.provider });
    // Another model that could take the call now: available and not rate-limited.
    const canFallBack = () =>
      queue.some(
        (other) => health.rateLimitedUntil(other) === undefined && health.available(targetOf(other)),
      );
    const postponed = new Set<string>();
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const model = options.resolve(id);
      const target = { id, provider: model.info.provider };
      if (!health.available(target)) continue;
      const limitedUntil = health.rateLimitedUntil(id);
      if (limitedUntil !== undefined) {
        // Rate-limited since the decision (another call got a 429): try the others first, once.
        if (!postponed.has(id) && canFallBack()) {
          postponed.add(id);
          queue.push(id);
          continue;
        }
        // Nothing else can take the call: wait for the window when it is short enough, as a retry would.
        const waitMs = limitedUntil - now();
        if (waitMs <= config.retry.maxRetryAfterMs) {
          await delay(waitMs, undefined, { signal }).catch(() => signal.throwIfAborted());
        }
      }
      try {
        let usage: Awaited<ReturnType<RouteAttempt<T>>>['usage'];
        let latencyMs = 0;
        const value = await health.execute(
          target,
          async (attemptSignal) => {
            const started = now();
            const result = await attempt(model, attemptSignal);
            latencyMs = Math.max(0, now() - started - (result.waitedMs ?? 0));
            usage = result.usage;
            return result.value;
          },
          {
            signal,
            canFallBack,
            onFailure: () => {
              knowledge.recordError({ modelId: id, kind: decision.kind });
            },
          },
        );
        knowledge.recordCall({
          modelId: id,
          kind: decision.kind,
          latencyMs,
          costUsd: usage?.costUsd ?? 0,
          inputTokens: usage?.inputTokens ?? 0,
          outputTokens: usage?.outputTokens ?? 0,
          // A provider that bills past the cap a call asked for breaks every budget's worst case.
          overMaxTokens: (usage?.outputTokens ?? 0) > request.maxOutputTokens,
        });
        persist();
        return { value, model, decision };
      } catch (error) {
        persist();
        signal.throwIfAborted();
        if (isAgentdOwnError(error)) throw error;
        const classified = classifyModelError(error, now());
        failures.push({ model: id, error: classified });
        lastError = error;
        if (!classified.fallback) break;
        const next = nextCandidates(queue, classified, model.info);
        queue.splice(0, queue.length, ...next);
        if (queue[0] !== undefined) traceFallback(trace, decision, id, queue[0], classified);
      }
    }
    throw routeFailure(decision, failures, lastError);
  }

  /** What to try after a failure: larger contexts after a context error, the refusal fallback after a refusal. */
  function nextCandidates(queue: string[], failure: ClassifiedModelError, failed: ModelInfo): string[] {
    if (failure.class === 'content_policy') return config.refusalFallback ? [config.refusalFallback] : [];
    if (failure.class !== 'context_length') return queue;
    const larger = options
      .candidates()
      .filter((m) => m.contextWindow > failed.contextWindow)
      .sort((a, b) => a.inputPerMTok + a.outputPerMTok - (b.inputPerMTok + b.outputPerMTok));
    const inQueue = queue.filter((id) => larger.some((m) => m.id === id));
    const others = larger.map((m) => m.id).filter((id) => !inQueue.includes(id) && id !== failed.id);
    return [...inQueue, ...others];
  }

  function traceDecision(trace: RouteTrace | undefined, decision: RouteDecision): void {
    if (!trace) return;
    const span = trace.tracer.startSpan('router.decision', {
      kind: 'router',
      taskId: trace.taskId,
      parent: trace.parent,
      attributes: decisionAttributes(decision),
    });
    span.end();
  }

  function traceFallback(
    trace: RouteTrace | undefined,
    decision: RouteDecision,
    from: string,
    to: string,
    failure: ClassifiedModelError,
  ): void {
    if (!trace) return;
    const span = trace.tracer.startSpan('router.decision', {
      kind: 'router',
      taskId: trace.taskId,
      parent: trace.parent,
      attributes: {
        ...decisionAttributes(decision),
        [ATTR.routerChosen]: to,
        [ATTR.routerFallbackFrom]: from,
        [ATTR.routerErrorClass]: failure.class,
        [ATTR.routerReason]: `fallback: ${from} failed (${failure.class}${failure.status ? ` ${failure.status}` : ''})`,
      },
    });
    span.end();
  }

  return {
    classify: (text) => classifier.classify(text),
    decide,
    call,
    observe(observation) {
      knowledge.recordQuality(observation);
      persist();
    },
    stats() {
      const list: RouterStat[] = [];
      const byId = new Map(options.candidates().map((m) => [m.id, m]));
      for (const record of knowledge.records()) {
        const info = byId.get(record.modelId) ?? describe(record.modelId);
        const prior = {
          quality: info?.quality?.[record.kind] ?? info?.quality?.default ?? config.learning.defaultQuality,
          strength: config.learning.priorStrength,
        };
        const sorted = [...record.latencySamplesMs].sort((a, b) => a - b);
        const attempts = record.calls + record.errors;
        list.push({
          modelId: record.modelId,
          kind: record.kind,
          calls: record.calls,
          errors: record.errors,
          errorRate: attempts > 0 ? record.errors / attempts : 0,
          quality: knowledge.quality(record.modelId, record.kind, prior),
          p50Ms: sorted.length > 0 ? quantile(sorted, 0.5) : null,
          p95Ms: sorted.length > 0 ? quantile(sorted, 0.95) : null,
          costUsd: record.costUsd,
          overMaxTokensCalls: record.overMaxTokensCalls,
        });
      }
      return list.sort((a, b) => a.modelId.localeCompare(b.modelId) || a.kind.localeCompare(b.kind));
    },
    expectedOutputTokens: ({ modelId, kind }) => knowledge.expectedOutputTokens(modelId, kind),
    health,
    reconfigure(next) {
      config = next;
      classifier = createTaskKindClassifier({ kinds: next.kinds });
      if (next.exploration.seed !== undefined) random = seededRandom(next.exploration.seed);
    },
    async load() {
      knowledge.load(await options.store.list());
      health.restore(await options.store.listHealth());
    },
    flush: writeChanged,
  };
}

/** How long learned knowledge may wait in memory before it is written to the store, ms. */
const PERSIST_DELAY_MS = 1000;

// Span attributes are strings and numbers; the candidate list is capped so a 50-model catalog
// does not make every span kilobytes long.
const CANDIDATES_IN_SPAN = 12;

function decisionAttributes(decision: RouteDecision): Record<string, string | number | boolean> {
  const shown = [...decision.candidates]
    .sort((a, b) => Number(b.feasible) - Number(a.feasible) || b.score - a.score)
    .slice(0, CANDIDATES_IN_SPAN)
    .map((c) => ({
      id: c.id,
      feasible: c.feasible,
      quality: round(c.quality.mean),
      ...(c.sampledQuality !== undefined ? { sampled: round(c.sampledQuality) } : {}),
      costUsd: Number(c.costUsd.toPrecision(3)),
      ...(c.p95Ms !== undefined ? { p95Ms: Math.round(c.p95Ms) } : {}),
      score: round(c.score),
      ...(c.excluded ? { excluded: c.excluded } : {}),
    }));
  return {
    [ATTR.routerKind]: decision.kind,
    [ATTR.routerObjective]: decision.objective,
    [ATTR.routerStrategy]: decision.strategy,
    [ATTR.routerConstraints]: JSON.stringify(decision.constraints),
    [ATTR.routerCandidates]: JSON.stringify(shown),
    [ATTR.routerChosen]: decision.order[0] ?? '',
    [ATTR.routerFallbacks]: decision.order.slice(1).join(','),
    [ATTR.routerReason]: decision.reason,
    [ATTR.routerExplored]: decision.explored,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The error a call ends with when no candidate answered, named after the last failure's class. */
function routeFailure(
  decision: RouteDecision,
  failures: readonly { model: string; error: ClassifiedModelError }[],
  lastError: unknown,
): AgentdError {
  const last = failures.at(-1);
  if (!last) {
    return new AgentdError({
      code: 'model.circuit_open',
      message: `no model could take this call: every candidate's circuit is open (${decision.order.join(', ')})`,
      details: { candidates: decision.order },
    });
  }
  // An open circuit only says that earlier calls failed: report the failure behind it when known.
  const primary = failures.find((f) => f.error.class !== 'circuit_open') ?? last;
  const named = (f: (typeof failures)[number]) =>
    f.error.message.startsWith(`${f.model}: `) ? f.error.message : `${f.model}: ${f.error.message}`;
  const tried = failures.map(
    (f) => `${f.model}: ${f.error.class}${f.error.status ? ` ${f.error.status}` : ''}`,
  );
  return new ModelCallError({
    code: modelErrorCode(primary.error.class),
    retryable: primary.error.retryable,
    message:
      failures.length === 1
        ? named(last)
        : `every model failed (${tried.join('; ')}); ${primary === last ? 'last' : 'first'}: ${named(primary)}`,
    details: {
      class: primary.error.class,
      tried,
      ...(primary.error.status ? { status: primary.error.status } : {}),
    },
    cause: lastError,
  });
}
