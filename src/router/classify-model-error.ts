import { APICallError } from '@ai-sdk/provider';
import { AgentdError, ModelCallError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import '../models/model-error-codes.js';

/** Why a model call failed, as far as routing is concerned. */
export type ModelErrorClass =
  | 'rate_limit'
  | 'timeout'
  | 'server'
  | 'connection'
  | 'context_length'
  | 'content_policy'
  | 'auth'
  | 'config'
  | 'bad_request'
  | 'cancelled'
  | 'circuit_open'
  | 'unknown';

/** A classified failure: whether to retry the same model, whether another one may help. */
export interface ClassifiedModelError {
  class: ModelErrorClass;
  /** Worth retrying on the same model (rate_limit, timeout, server, connection). */
  retryable: boolean;
  /** Worth trying another candidate: all but auth, config, bad_request and cancelled. */
  fallback: boolean;
  /** From `retry-after-ms` (ms) or `Retry-After` (seconds or an HTTP date), when present. */
  retryAfterMs?: number;
  status?: number;
  message: string;
}

// Provider wording for errors whose status code is just 400 (OpenAI, Anthropic, Google, Ollama,
// vLLM, llama.cpp). Checked against the response body and the message.
const BODY_PATTERNS: readonly { class: ModelErrorClass; pattern: RegExp }[] = [
  {
    class: 'context_length',
    pattern:
      /context_length_exceeded|maximum context length|context (window|length)|too many tokens|prompt is too long|input is too long|exceeds the (model's )?(maximum|context)|token limit/i,
  },
  {
    class: 'content_policy',
    pattern:
      /content_filter|content_policy|content management policy|safety (system|settings)|flagged|blocked.*(safety|policy)|responsible ai/i,
  },
  {
    class: 'config',
    pattern:
      /model_not_found|(model|deployment).*(does not exist|not found|not supported)|invalid model|unknown model/i,
  },
];

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * agentd's own error codes that describe a model's failure (and are routed like one); every other
 * AgentdError (budget, cancellation) ends a routed call unchanged.
 */
export const MODEL_FAILURE_CODES: ReadonlySet<string> = new Set([
  'model.timeout',
  'model.circuit_open',
  'model.refused',
  'model.stream_interrupted',
]);

/** Whether an error is agentd's own and not a model's failure: it passes through retries and fallbacks. */
export function isAgentdOwnError(error: unknown): boolean {
  return error instanceof AgentdError && !MODEL_FAILURE_CODES.has(error.code);
}

/** Classifies a model call's failure; `now` (ms) resolves HTTP-date Retry-After values. */
export function classifyModelError(error: unknown, now: number = Date.now()): ClassifiedModelError {
  // The outermost error that says something specific wins; wrappers pass to their cause.
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    const classified = classifyOne(current, now);
    if (classified) return classified;
    current = (current as { cause?: unknown } | null)?.cause;
  }
  return make('unknown', messageOf(error));
}

function classifyOne(error: unknown, now: number): ClassifiedModelError | undefined {
  if (APICallError.isInstance(error)) return classifyHttp(error, now);
  if (error instanceof AgentdError) {
    // agentd's own deadlines: the whole call's (agents.modelTimeoutMs) was waited out once, so another
    // model is tried rather than this one again; the first-token and stall deadlines say they may be retried.
    if (error.code === 'model.timeout') {
      return {
        ...make('timeout', error.message),
        retryable: error instanceof ModelCallError && error.retryable,
      };
    }
    // A stream that broke off: what broke it (a reset, a stall), else a connection failure.
    if (error.code === 'model.stream_interrupted') {
      const cause = error.cause === undefined ? undefined : classifyModelError(error.cause, now);
      const known =
        cause !== undefined && cause.class !== 'unknown' ? cause : make('connection', error.message);
      return { ...known, message: error.message };
    }
    if (error.code === 'task.cancelled') return make('cancelled', error.message);
    if (error.code === 'model.circuit_open') return make('circuit_open', error.message);
    if (error.code === 'model.refused') return make('content_policy', error.message);
    return undefined;
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError') return { ...make('timeout', messageOf(error)), retryable: false };
  if (name === 'AbortError') return make('cancelled', messageOf(error));
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return make('connection', messageOf(error));
  if (error instanceof TypeError && /fetch failed|network|socket/i.test(error.message)) {
    // undici puts the system error in `cause`; classify by it when it is there.
    const cause = (error as { cause?: unknown }).cause;
    return (cause !== undefined ? classifyOne(cause, now) : undefined) ?? make('connection', error.message);
  }
  return undefined;
}

function classifyHttp(error: APICallError, now: number): ClassifiedModelError {
  const status = error.statusCode;
  const message = error.message;
  const text = `${error.responseBody ?? ''} ${message}`;
  const withStatus = (c: ClassifiedModelError) => (status === undefined ? c : { ...c, status });
  if (status === 429) {
    const retryAfterMs = retryAfter(error.responseHeaders, now);
    return withStatus({
      ...make('rate_limit', message),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 408 || status === 504) return withStatus(make('timeout', message));
  if (status !== undefined && status >= 500) {
    const retryAfterMs = retryAfter(error.responseHeaders, now);
    return withStatus({
      ...make('server', message),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 401 || status === 403) return withStatus(make('auth', message));
  if (status === 404) return withStatus(make('config', message));
  for (const { class: kind, pattern } of BODY_PATTERNS) {
    if (pattern.test(text)) return withStatus(make(kind, message));
  }
  if (status === 413) return withStatus(make('context_length', message));
  if (status !== undefined && status >= 400) return withStatus(make('bad_request', message));
  // No status: the request never got an answer.
  return withStatus(make(error.isRetryable ? 'connection' : 'unknown', message));
}

/** `retry-after-ms` (OpenAI), else `Retry-After` in seconds or as an HTTP date. */
function retryAfter(headers: Record<string, string> | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const ms = Number(lower['retry-after-ms']);
  if (lower['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return ms;
  const value = lower['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

const RETRYABLE: ReadonlySet<ModelErrorClass> = new Set(['rate_limit', 'timeout', 'server', 'connection']);
const NO_FALLBACK: ReadonlySet<ModelErrorClass> = new Set(['auth', 'config', 'bad_request', 'cancelled']);

// A code's declared category says whose fault the failure is: `invalid` for the caller's (auth, an unknown
// model, a bad request, a prompt over the context window), `upstream` for the provider's.
const ERROR_CODES: Record<ModelErrorClass, ErrorCode> = {
  rate_limit: 'model.rate_limited',
  timeout: 'model.timeout',
  server: 'model.call_failed',
  connection: 'model.unreachable',
  context_length: 'model.context_too_long',
  content_policy: 'model.refused',
  auth: 'model.auth_failed',
  config: 'model.not_found',
  bad_request: 'model.bad_request',
  cancelled: 'task.cancelled',
  circuit_open: 'model.circuit_open',
  unknown: 'model.call_failed',
};

/**
 * A failed model call as spans and events report it: its class, HTTP status and message, and its
 * code (an AgentdError keeps its own, anything else gets its class's).
 */
export function describeModelFailure(
  error: unknown,
  now: number = Date.now(),
): ClassifiedModelError & { code: ErrorCode } {
  const classified = classifyModelError(error, now);
  return {
    ...classified,
    code: error instanceof AgentdError ? error.code : modelErrorCode(classified.class),
  };
}

/** The error code a failure of this class is reported with. */
export function modelErrorCode(kind: ModelErrorClass): ErrorCode {
  return ERROR_CODES[kind];
}

function make(kind: ModelErrorClass, message: string): ClassifiedModelError {
  return { class: kind, retryable: RETRYABLE.has(kind), fallback: !NO_FALLBACK.has(kind), message };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
