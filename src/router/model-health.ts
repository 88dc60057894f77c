import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  CountBreaker,
  ExponentialBackoff,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
} from 'cockatiel';
import type {
  CircuitBreakerPolicy,
  IBackoff,
  IBackoffFactory,
  IBreaker,
  IRetryBackoffContext,
} from 'cockatiel';
import { AgentdError } from '../core/errors.js';
import '../models/model-error-codes.js';
import type { RouterHealthRecord } from '../store/router-store.js';
import { classifyModelError, isAgentdOwnError } from './classify-model-error.js';
import type { ClassifiedModelError, ModelErrorClass } from './classify-model-error.js';
import type { RouterConfig } from './router-config.js';

/** Options of {@link createModelHealth}. */
export interface ModelHealthOptions {
  retry: RouterConfig['retry'];
  breaker: RouterConfig['breaker'];
  now?: () => number;
  /** Called when a circuit changes state or a model is rate-limited: there is health to persist. */
  onChange?(): void;
}

/** A circuit's state. */
export type CircuitStateName = 'closed' | 'open' | 'half-open';

/** A model and its provider: each has a circuit. */
export interface HealthTarget {
  id: string;
  provider: string;
}

/** One failed attempt. */
export interface AttemptFailure {
  target: HealthTarget;
  attempt: number;
  error: ClassifiedModelError;
}

/** A circuit as reported. */
export interface CircuitStatusEntry {
  scope: 'model' | 'provider';
  id: string;
  state: CircuitStateName;
  openedAt?: number;
}

/** Retries and circuit breakers per provider and per model. */
export interface ModelHealth {
  /**
   * Whether a call may go to `target` now: neither its model nor its provider circuit is open (an
   * open circuit whose half-open delay has passed admits a probe).
   */
  available(target: HealthTarget): boolean;
  /** When the model's rate-limit window ends (ms since the epoch), or undefined when it is not rate-limited now. */
  rateLimitedUntil(modelId: string): number | undefined;
  /**
   * Runs `call` under the target's provider and model breakers, retrying retryable failures with
   * exponential backoff and jitter (a Retry-After up to `maxRetryAfterMs` is honoured instead). A
   * timeout is retried once at most; a rate limit is not retried while `canFallBack()` says another
   * model could take the call now. Throws the last error as it was; an open circuit throws
   * AgentdError `model.circuit_open`.
   */
  execute<T>(
    target: HealthTarget,
    call: (signal: AbortSignal) => Promise<T>,
    options: {
      signal: AbortSignal;
      onFailure?(failure: AttemptFailure): void;
      canFallBack?(): boolean;
    },
  ): Promise<T>;
  /** Every circuit created so far. */
  states(): CircuitStatusEntry[];
  /** Models rate-limited now, with the end of their window. */
  rateLimits(): { id: string; until: number }[];
  /** Called on every circuit state change; returns an unsubscribe function. */
  onStateChange(listener: (change: CircuitStatusEntry) => void): () => void;
  /** The health records changed since the last call, for the router's batched writes. */
  takeChanged(): RouterHealthRecord[];
  /**
   * Takes in health persisted by any process: open circuits open here at the time they opened
   * there, rate-limit windows still running apply here too. Closed records change nothing.
   */
  restore(records: readonly RouterHealthRecord[]): void;
}

// Failures that say something about the provider's or model's health, rate limits included: a
// model that keeps refusing calls is, for routing, as unavailable as one that fails them (ADR 0040).
// Bad requests, refusals and auth errors would fail on any healthy server too, so they neither open
// circuits nor retry.
const HEALTH_FAILURES: ReadonlySet<ModelErrorClass> = new Set([
  'rate_limit',
  'timeout',
  'server',
  'connection',
  'unknown',
]);

/**
 * The failures that speak for a whole provider: it cannot be reached or does not answer. A 5xx, a
 * 429 or an unknown error of one model says nothing about its siblings on the same provider, and
 * counting them at the provider let one broken model close every model of its provider.
 */
const PROVIDER_FAILURES: ReadonlySet<ModelErrorClass> = new Set(['timeout', 'connection']);

/**
 * Opens on `consecutive` failures in a row or on a failure share over a window, whichever first:
 * cockatiel's two breakers side by side.
 */
class ConsecutiveOrRateBreaker implements IBreaker {
  readonly #consecutive: ConsecutiveBreaker;
  readonly #rate: CountBreaker;
  constructor(options: RouterConfig['breaker']) {
    this.#consecutive = new ConsecutiveBreaker(options.consecutiveFailures);
    this.#rate = new CountBreaker({
      threshold: options.errorRate,
      size: options.window,
      minimumNumberOfCalls: Math.min(options.minimumCalls, options.window),
    });
  }
  get state(): unknown {
    return { consecutive: this.#consecutive.state, rate: this.#rate.state };
  }
  set state(value: unknown) {
    const { consecutive, rate } = value as { consecutive: number; rate: unknown };
    this.#consecutive.state = consecutive;
    this.#rate.state = rate;
  }
  success(state: CircuitState): void {
    this.#consecutive.success();
    this.#rate.success(state);
  }
  failure(state: CircuitState): boolean {
    // Both see every failure, so neither window goes stale.
    const consecutive = this.#consecutive.failure();
    const rate = this.#rate.failure(state);
    return consecutive || rate;
  }
}

/** Waits a Retry-After when the failure carried one, else backs off exponentially with jitter. */
class RetryAfterBackoff implements IBackoffFactory<IRetryBackoffContext<unknown>> {
  constructor(
    private readonly exponential: IBackoffFactory<IRetryBackoffContext<unknown>>,
    private readonly now: () => number,
  ) {}
  next(context: IRetryBackoffContext<unknown>): IBackoff<IRetryBackoffContext<unknown>> {
    const fallback = this.exponential.next(context);
    const error = 'error' in context.result ? context.result.error : undefined;
    const retryAfterMs = error === undefined ? undefined : classifyModelError(error, this.now()).retryAfterMs;
    const duration = retryAfterMs ?? fallback.duration;
    return { duration, next: (c) => new RetryAfterBackoff(fallback, this.now).next(c) };
  }
}

interface Circuit {
  scope: 'model' | 'provider';
  id: string;
  policy: CircuitBreakerPolicy;
  openedAt?: number;
}

/** Retries of a timed-out attempt on the same model: a model that did not answer twice is failed over. */
const TIMEOUT_RETRIES = 1;
/** How long a 429 without a usable Retry-After deprioritises its model, ms. */
const DEFAULT_RATE_LIMIT_MS = 5_000;
/** The longest rate-limit window honoured, ms: a Retry-After of hours is a quota, not backpressure. */
const MAX_RATE_LIMIT_MS = 10 * 60_000;

/** Retries and circuit breakers for model calls, on cockatiel. */
export function createModelHealth(options: ModelHealthOptions): ModelHealth {
  const now = options.now ?? Date.now;
  const circuits = new Map<string, Circuit>();
  const listeners = new Set<(change: CircuitStatusEntry) => void>();
  const rateLimited = new Map<string, number>();
  const changed = new Set<string>();
  const touch = (key: string) => {
    changed.add(key);
    options.onChange?.();
  };
  const countsAgainst = (failures: ReadonlySet<ModelErrorClass>) => (error: Error) =>
    !isAgentdOwnError(error) && failures.has(classifyModelError(error, now()).class);
  const countsAgainstModel = countsAgainst(HEALTH_FAILURES);
  const countsAgainstProvider = countsAgainst(PROVIDER_FAILURES);
  const waitable = (classified: ClassifiedModelError) =>
    classified.retryAfterMs !== undefined && classified.retryAfterMs <= options.retry.maxRetryAfterMs;

  /** The circuit of a model or provider; `openedAt` creates it open since then (restored from the store). */
  function circuit(scope: 'model' | 'provider', id: string, openedAt?: number): Circuit {
    const key = `${scope}:${id}`;
    const entry = circuits.get(key);
    if (entry) return entry;
    const breaker = new ConsecutiveOrRateBreaker(options.breaker);
    const policy = circuitBreaker(
      handleWhen(scope === 'provider' ? countsAgainstProvider : countsAgainstModel),
      {
        halfOpenAfter: options.breaker.halfOpenAfterMs,
        breaker,
        // cockatiel's own serialised form (CircuitBreakerPolicy.toJSON) of a circuit open since `openedAt`.
        ...(openedAt !== undefined
          ? {
              initialState: {
                ownState: { value: CircuitState.Open, openedAt, attemptNo: 1 },
                breakerState: breaker.state,
              },
            }
          : {}),
      },
    );
    const created: Circuit = { scope, id, policy, ...(openedAt !== undefined ? { openedAt } : {}) };
    policy.onStateChange((state) => {
      // cockatiel's Open check uses Date.now(); so does this record of when it opened.
      if (state === CircuitState.Open) created.openedAt = Date.now();
      touch(key);
      for (const listener of listeners) listener(status(created, options.breaker.halfOpenAfterMs));
    });
    circuits.set(key, created);
    return created;
  }

  function limitedUntil(modelId: string): number | undefined {
    const until = rateLimited.get(modelId);
    return until !== undefined && until > now() ? until : undefined;
  }

  function recordRateLimit(modelId: string, classified: ClassifiedModelError): void {
    const window = Math.min(classified.retryAfterMs ?? DEFAULT_RATE_LIMIT_MS, MAX_RATE_LIMIT_MS);
    const until = now() + window;
    if ((rateLimited.get(modelId) ?? 0) >= until) return;
    rateLimited.set(modelId, until);
    touch(`model:${modelId}`);
  }

  function record(key: string): RouterHealthRecord {
    const [scope, ...rest] = key.split(':');
    const id = rest.join(':');
    const entry = circuits.get(key);
    const state = entry ? status(entry, options.breaker.halfOpenAfterMs) : undefined;
    const until = scope === 'model' ? limitedUntil(id) : undefined;
    return {
      scope: scope === 'provider' ? 'provider' : 'model',
      id,
      state: state?.state ?? 'closed',
      openedAt: state?.openedAt ?? null,
      rateLimitedUntil: until ?? null,
      updatedAt: now(),
    };
  }

  function isOpen(entry: Circuit | undefined): boolean {
    if (!entry) return false;
    const state = entry.policy.state;
    if (state === CircuitState.Isolated) return true;
    if (state !== CircuitState.Open) return false;
    return Date.now() - (entry.openedAt ?? 0) < options.breaker.halfOpenAfterMs;
  }

  return {
    rateLimitedUntil: limitedUntil,

    available(target) {
      return (
        !isOpen(circuits.get(`model:${target.id}`)) && !isOpen(circuits.get(`provider:${target.provider}`))
      );
    },

    async execute(target, call, { signal, onFailure, canFallBack }) {
      let timeouts = 0;
      const retries = retry(
        handleWhen((error) => {
          if (isAgentdOwnError(error)) return false;
          const classified = classifyModelError(error, now());
          if (!classified.retryable) return false;
          if (classified.class === 'timeout' && ++timeouts > TIMEOUT_RETRIES) return false;
          // Backpressure is waited out only when no other model could take the call now.
          if (classified.class === 'rate_limit' && canFallBack?.()) return false;
          return classified.retryAfterMs === undefined || waitable(classified);
        }),
        {
          maxAttempts: options.retry.maxRetries,
          backoff: new RetryAfterBackoff(
            new ExponentialBackoff({
              initialDelay: options.retry.initialDelayMs,
              maxDelay: options.retry.maxDelayMs,
            }),
            now,
          ),
        },
      );
      const policy = wrap(
        retries,
        circuit('provider', target.provider).policy,
        circuit('model', target.id).policy,
      );
      let attempt = 0;
      try {
        // cockatiel's retry delay does not listen to the signal: race it, so a cancel ends the wait
        // at once (the abandoned retry finds the signal aborted and does not call the model).
        return await raceAbort(
          signal,
          policy.execute(async ({ signal: attemptSignal }) => {
            attempt += 1;
            try {
              return await call(attemptSignal);
            } catch (error) {
              if (!isAgentdOwnError(error) && !signal.aborted) {
                const classified = classifyModelError(error, now());
                if (classified.class === 'rate_limit') recordRateLimit(target.id, classified);
                onFailure?.({ target, attempt, error: classified });
              }
              throw error;
            }
          }, signal),
        );
      } catch (error) {
        if (error instanceof BrokenCircuitError) {
          const scope = isOpen(circuits.get(`provider:${target.provider}`)) ? 'provider' : 'model';
          throw new AgentdError({
            code: 'model.circuit_open',
            message: `${target.id}: the ${scope} circuit is open after repeated failures`,
            details: { target: target.id, scope },
          });
        }
        throw error;
      }
    },

    states: () => [...circuits.values()].map((c) => status(c, options.breaker.halfOpenAfterMs)),

    rateLimits() {
      const list: { id: string; until: number }[] = [];
      for (const id of rateLimited.keys()) {
        const until = limitedUntil(id);
        if (until !== undefined) list.push({ id, until });
      }
      return list;
    },

    takeChanged() {
      const records = [...changed].map(record);
      changed.clear();
      return records;
    },

    restore(records) {
      for (const r of records) {
        if (r.state !== 'closed' && r.openedAt !== null) circuit(r.scope, r.id, r.openedAt);
        if (r.scope === 'model' && r.rateLimitedUntil !== null && r.rateLimitedUntil > now()) {
          rateLimited.set(r.id, Math.max(r.rateLimitedUntil, rateLimited.get(r.id) ?? 0));
        }
      }
    },

    onStateChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(signal: AbortSignal, promise: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  // The losing promise's rejection is expected; keep it from being reported as unhandled.
  promise.catch(() => {});
  return Promise.race([promise, aborted]).finally(() =>
    signal.removeEventListener('abort', onAbort as () => void),
  );
}

function status(entry: Circuit, halfOpenAfterMs: number): CircuitStatusEntry {
  const state = entry.policy.state;
  // An open circuit whose delay has passed admits the next call as a probe: report it half-open.
  const probing = state === CircuitState.Open && Date.now() - (entry.openedAt ?? 0) >= halfOpenAfterMs;
  const name: CircuitStateName =
    state === CircuitState.Closed
      ? 'closed'
      : state === CircuitState.HalfOpen || probing
        ? 'half-open'
        : 'open';
  return {
    scope: entry.scope,
    id: entry.id,
    state: name,
    ...(name !== 'closed' && entry.openedAt !== undefined ? { openedAt: entry.openedAt } : {}),
  };
}
