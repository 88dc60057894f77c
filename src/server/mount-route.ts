import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { HttpBinding } from '../operations/index.js';
import { requestError } from './error-response.js';

/** The largest request body of any route; a prompt is capped far below it, so only abuse reaches it. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How long a route may take unless its operation says otherwise. */
export const DEFAULT_TIME_LIMIT_MS = 30_000;

/** Mounts `handler` for `http`, under the route's own body size and time limits. */
export function mountRoute(app: Hono, http: HttpBinding, handler: (c: Context) => Promise<Response>): void {
  const maxSize = Math.min(http.maxBodyBytes ?? MAX_BODY_BYTES, MAX_BODY_BYTES);
  const limitBody = bodyLimit({
    maxSize,
    onError: () => {
      throw requestError(
        'request.too_large',
        `bodies of ${http.method} ${http.path} are limited to ${maxSize} bytes`,
      );
    },
  });
  const timeLimitMs = http.timeLimitMs ?? DEFAULT_TIME_LIMIT_MS;
  if (!Number.isFinite(timeLimitMs)) {
    app.on(http.method, http.path, limitBody, handler);
    return;
  }
  app.on(http.method, http.path, limitBody, async (c) => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            requestError(
              'request.timeout',
              `${http.method} ${http.path} took longer than ${timeLimitMs / 1000} s; whatever it started may still finish`,
            ),
          ),
        timeLimitMs,
      );
    });
    try {
      return await Promise.race([handler(c), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  });
}
