import { AgentdError, PolicyDeniedError, toAgentdError } from '../core/errors.js';

/**
 * Codes with a status of their own. Only resources addressed by the URL are 404; a missing thing
 * named inside a request body (a tool, an agent) is a bad request, which the category makes 400.
 */
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'task.not_found': 404,
  'review.not_found': 404,
  'memory.not_found': 404,
  'memory.refused': 422,
  'review.already_answered': 409,
  'review.closed': 409,
  'route.not_found': 404,
  'request.forbidden_origin': 403,
  'request.forbidden_host': 403,
  'request.too_large': 413,
  'request.unsupported_media_type': 415,
};

/** The HTTP status for an error: decided here, at the edge, from its code and category. */
export function httpStatusOf(error: AgentdError): number {
  const byCode = STATUS_BY_CODE[error.code];
  if (byCode !== undefined) return byCode;
  if (error.code.startsWith('auth.')) return 401;
  if (error instanceof PolicyDeniedError) return 403;
  if (error.code === 'store.conflict') return 409;
  if (error.category === 'user') return 400;
  if (error.category === 'upstream') return 502;
  return 500;
}

/** The JSON error body and status for anything thrown; never a stack trace. */
export function errorResponse(thrown: unknown): {
  status: number;
  body: { error: { code: string; message: string; path?: string } };
} {
  const error = toAgentdError(thrown);
  const status = httpStatusOf(error);
  // Internal failures keep their code but not their message, which may expose internals.
  const message = status === 500 ? 'internal error; see the server log' : error.message;
  return { status, body: { error: { ...error.toJSON(), message } } };
}

/** A request-level error (bad JSON, missing auth) in the same shape. */
export function requestError(code: string, message: string): AgentdError {
  return new AgentdError({ code, message, category: 'user' });
}
