import { AgentdError, toAgentdError } from '../core/errors.js';
import type { ErrorCategory, ErrorCode } from '../core/errors.js';
import './server-error-codes.js';

/**
 * The HTTP status of each category. Only resources addressed by the URL are `not_found` (404); a
 * missing thing named inside a request body (a tool, an agent) is declared `invalid`, a bad request.
 */
const STATUS_BY_CATEGORY: Readonly<Record<ErrorCategory, number>> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  too_large: 413,
  unsupported: 415,
  refused: 422,
  guard: 400,
  halt: 400,
  rate_limited: 429,
  upstream: 502,
  unavailable: 503,
  system: 500,
};

/** The HTTP status for an error: decided here, at the edge, from its category. */
export function httpStatusOf(error: AgentdError): number {
  return STATUS_BY_CATEGORY[error.category];
}

/**
 * The JSON error body, status and extra headers for anything thrown; never a stack trace. The
 * request's id, when given, is in the body so a report of the error can be found in the server log.
 */
export function errorResponse(
  thrown: unknown,
  requestId?: string,
): {
  status: number;
  body: { error: { code: string; message: string; path?: string; requestId?: string } };
  headers: Record<string, string>;
} {
  const error = toAgentdError(thrown);
  const status = httpStatusOf(error);
  // Internal failures keep their code but not their message, which may expose internals.
  const message = status === 500 ? 'internal error; see the server log' : error.message;
  const headers: Record<string, string> = {};
  if (error.category === 'unavailable' || error.category === 'rate_limited') {
    // When to try again: the error's own estimate (a full run queue knows how fast it drains).
    const seconds = error.details?.['retryAfterSeconds'];
    headers['Retry-After'] = String(typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : 1);
  }
  return {
    status,
    body: { error: { ...error.toJSON(), message, ...(requestId ? { requestId } : {}) } },
    headers,
  };
}

/** A request-level error (bad JSON, missing auth) in the same shape. */
export function requestError(code: ErrorCode, message: string): AgentdError {
  return new AgentdError({ code, message });
}
