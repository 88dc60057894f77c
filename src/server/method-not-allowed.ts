import type { Context } from 'hono';
import { requestIdOf } from './request-log.js';
import './server-error-codes.js';

/** A mounted route: its method and Hono path pattern (`/v1/tasks/:id`). */
export interface MountedRoute {
  method: string;
  path: string;
}

/**
 * The methods the routes serve at `path`, sorted; empty when no route has that path. A `:param`
 * segment matches any one non-empty segment, as Hono's router does.
 */
export function allowedMethods(routes: readonly MountedRoute[], path: string): string[] {
  const segments = path.split('/');
  const methods = new Set<string>();
  for (const route of routes) {
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    if (pattern.every((part, i) => (part.startsWith(':') ? segments[i] !== '' : part === segments[i]))) {
      methods.add(route.method);
    }
  }
  return [...methods].sort();
}

/**
 * The answer to a request no route takes: 405 with `Allow` when the path exists under other
 * methods (a client that used the wrong verb learns the right one), else 404.
 */
export function routeMissing(c: Context, routes: readonly MountedRoute[]): Response {
  const allow = allowedMethods(routes, c.req.path);
  const requestId = requestIdOf(c);
  if (allow.length > 0) {
    const response = c.json(
      {
        error: {
          code: 'route.method_not_allowed',
          message: `${c.req.method} is not allowed on ${c.req.path}; use ${allow.join(' or ')}`,
          requestId,
        },
      },
      405,
    );
    response.headers.set('Allow', allow.join(', '));
    return response;
  }
  return c.json(
    { error: { code: 'route.not_found', message: `no route ${c.req.method} ${c.req.path}`, requestId } },
    404,
  );
}
