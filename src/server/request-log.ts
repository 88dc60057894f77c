import type { Context, MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import type { Logger } from '../core/logger.js';

/** The id of the request `c` is answering, as sent back in `X-Request-Id`. */
export function requestIdOf(c: Context): string | undefined {
  const id: unknown = c.get('requestId' as never);
  return typeof id === 'string' ? id : undefined;
}

/**
 * Gives each request an id (the client's `X-Request-Id` when it is short and plain, else a new UUID),
 * returns it in `X-Request-Id`, and logs one `info` line per request when the answer starts: method,
 * path, status, milliseconds and the id, so a client's error report can be found in the log.
 */
export function requestLog(logger: Logger): MiddlewareHandler {
  const assignId = requestId({ limitLength: 64 });
  return async (c, next) => {
    const started = performance.now();
    await assignId(c, next);
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      requestId: requestIdOf(c),
    });
  };
}
