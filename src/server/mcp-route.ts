import type { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from '../core/logger.js';
import { createMcpHttpHandler } from '../mcp/index.js';
import type { Runtime } from '../runtime/index.js';
import { actorOf } from './authenticate.js';
import { requestError } from './error-response.js';
import { MAX_BODY_BYTES } from './mount-route.js';

/** The path of the MCP endpoint (Streamable HTTP). */
export const MCP_PATH = '/mcp';

/**
 * Mounts MCP's Streamable HTTP transport at `/mcp`: POST for requests (answered as JSON or as an
 * event stream of progress and the result), GET for the session's own stream, DELETE to end a
 * session. It sits behind the same Origin/Host checks and authentication as `/v1`, and each call
 * runs as the request's actor. No time limit: a waited task streams its progress until it ends.
 */
export function mountMcp(app: Hono, options: { runtime: Runtime; version: string; logger: Logger }): void {
  const mcp = createMcpHttpHandler(options);
  const limitBody = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw requestError('request.too_large', `MCP messages are limited to ${MAX_BODY_BYTES} bytes`);
    },
  });
  app.on(['GET', 'POST', 'DELETE'], MCP_PATH, limitBody, async (c) => {
    let body: unknown;
    if (c.req.method === 'POST') {
      try {
        body = await c.req.json();
      } catch {
        return c.json(
          { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: the body is not JSON' }, id: null },
          400,
        );
      }
    }
    return mcp.handle(c.req.raw, actorOf(c), body);
  });
}
