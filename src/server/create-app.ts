import { Hono } from 'hono';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { streamSSE } from 'hono/streaming';
import { silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import type { Clock } from '../core/clock.js';
import {
  invokeOperationWithInput,
  invokeStreamOperation,
  operations,
  streamOperations,
} from '../operations/index.js';
import type { HttpBinding, Operation } from '../operations/index.js';
import type { Runtime } from '../runtime/index.js';
import { openAiError } from '../agents/index.js';
import { actorOf, authenticate } from './authenticate.js';
import { errorResponse, requestError } from './error-response.js';
import { isLoopbackHost } from '../core/loopback.js';
import { openApiDocument } from './openapi.js';
import { MCP_PATH, mountMcp } from './mcp-route.js';
import { mountRoute as route } from './mount-route.js';
import { routeMissing } from './method-not-allowed.js';
import { queryKeysOf } from './query-keys.js';
import type { MountedRoute } from './method-not-allowed.js';
import { requestIdOf, requestLog } from './request-log.js';
import { responseHeaders } from './response-headers.js';
import { mountA2a } from './a2a/mount-a2a.js';
import '../operations/operation-error-codes.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  runtime: Runtime;
  /**
   * When set, every route but `/v1/health` and `/v1/openapi.json` needs `Authorization: Bearer <token>`
   * (this token, an admin, or an API key); see authenticate.ts.
   */
  authToken?: string;
  /**
   * Browser origins (exact, e.g. `http://localhost:5173`) that may call the API besides the server's
   * own; CORS is answered for them. Default: none.
   */
  allowedOrigins?: readonly string[];
  /** Where each request (info) and server errors (5xx, with their stack) are logged; default: nowhere. */
  logger?: Logger;
  version?: string;
  /** The clock of the authentication rate limits (tests). */
  clock?: Clock;
}

/** Where the OpenAI-compatible gateway is mounted. */
export const GATEWAY_PATH = '/openai/v1';

/** Routes readable without a token: liveness probes and the API's own description. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/v1/health', '/v1/openapi.json']);

/** JSON, optionally declared UTF-8: bodies are decoded as UTF-8 whatever a charset says. */
const JSON_MEDIA_TYPE = /^application\/json\s*(?:;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** The HTTP API as a Hono app, with one route per operation. Usable with `app.request()` in tests. */
export function createApp(options: AppOptions): Hono {
  const { runtime } = options;
  const logger = options.logger ?? silentLogger;
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const app = new Hono();

  app.onError((error, c) => {
    // The gateway's clients read OpenAI's error shape, refusals by the server's own checks included.
    if (c.req.path.startsWith(`${GATEWAY_PATH}/`)) {
      const openAi = openAiError(error);
      if (openAi.status === 500) {
        logger.error('gateway request failed', {
          path: c.req.path,
          message: error.message,
          stack: error.stack,
        });
      }
      const response = c.json(openAi.body, openAi.status as 400);
      if (openAi.status === 401) response.headers.set('WWW-Authenticate', 'Bearer');
      return response;
    }
    const { status, body, headers } = errorResponse(error, requestIdOf(c));
    // The client only sees a generic message for these, so the server log is the only trace. A 503
    // (the run queue is full) is load, not a failure: logging each one would add to the load.
    if (status >= 500 && status !== 503) {
      logger.error('request failed', {
        method: c.req.method,
        path: c.req.path,
        status,
        code: body.error.code,
        requestId: requestIdOf(c),
        message: error.message,
        stack: error.stack,
      });
    }
    const response = c.json(body, status as 400);
    if (status === 401) response.headers.set('WWW-Authenticate', 'Bearer');
    for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    return response;
  });
  const routes: MountedRoute[] = [
    ...[...operations, ...streamOperations].map((o) => ({ method: o.http.method, path: o.http.path })),
    { method: 'GET', path: '/v1/openapi.json' },
    { method: 'POST', path: `${GATEWAY_PATH}/chat/completions` },
    { method: 'POST', path: `${GATEWAY_PATH}/embeddings` },
    { method: 'GET', path: `${GATEWAY_PATH}/models` },
  ];
  app.notFound((c) => routeMissing(c, routes));

  // First, so that every answer (refusals included) is logged, has an id and carries the headers.
  app.use('*', requestLog(logger));
  app.use('*', responseHeaders());

  if (!options.authToken) {
    // DNS rebinding: a page on evil.example whose name later resolves to 127.0.0.1 is same-origin to
    // the browser, so no Origin header warns us; only its Host header gives it away.
    app.use('*', async (c, next) => {
      if (!isLoopbackHost(requestHost(c))) {
        throw requestError(
          'request.forbidden_host',
          `Host '${requestHost(c)}' is not a loopback name; without server.authToken only 127.0.0.1, localhost and [::1] are served`,
        );
      }
      return next();
    });
  }

  // CSRF: any web page can make the browser send requests here; browsers mark them with Origin.
  app.use('*', async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !allowedOrigins.has(origin) && !isOwnLoopbackOrigin(origin, requestHost(c))) {
      throw requestError(
        'request.forbidden_origin',
        `requests from origin '${origin}' are not allowed; only this server's own loopback origin and the allowed origins are`,
      );
    }
    return next();
  });
  if (allowedOrigins.size > 0) {
    // Before auth: browsers send preflights without the Authorization header.
    app.use(
      '*',
      cors({
        origin: [...allowedOrigins],
        allowMethods: ['GET', 'POST', 'DELETE'],
        allowHeaders: [
          'Authorization',
          'Content-Type',
          'Last-Event-ID',
          'Mcp-Session-Id',
          'Mcp-Protocol-Version',
        ],
        exposeHeaders: ['Mcp-Session-Id', 'X-Request-Id'],
      }),
    );
  }

  const auth = authenticate({
    runtime,
    publicPaths: PUBLIC_PATHS,
    ...(options.authToken ? { authToken: options.authToken } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  app.use('/v1/*', auth);
  app.use(MCP_PATH, auth);
  // The OpenAI-compatible gateway: a task key is the gateway's to check (it is no API key); any
  // other credential (or none, on a loopback server without a token) authenticates as everywhere.
  app.use(`${GATEWAY_PATH}/*`, async (c, next) => {
    const credential = /^bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    if (credential !== undefined && runtime.gateway.isTaskKey(credential)) return next();
    return auth(c, next);
  });
  app.route(GATEWAY_PATH, runtime.gateway.app({ standalone: (c) => actorOf(c) }));
  mountMcp(app, { runtime, logger, version: options.version ?? '0.0.0' });

  for (const operation of operations) {
    route(app, operation.http, async (c) => {
      const raw = await requestInput(c, operation.http, queryKeysOf(operation.http, operation.input));
      const { input, output } = await invokeOperationWithInput(runtime, operation, raw, actorOf(c));
      return c.json(output as object, successStatus(operation, input, output) as 200);
    });
  }

  for (const operation of streamOperations) {
    // An event stream lasts as long as its task; only its start is bounded (by the first event).
    route(app, { ...operation.http, timeLimitMs: Number.POSITIVE_INFINITY }, async (c) => {
      const raw = await requestInput(c, operation.http, queryKeysOf(operation.http, operation.input));
      const lastEventId = c.req.header('last-event-id');
      if (lastEventId && /^\d+$/.test(lastEventId)) raw['after'] = lastEventId;
      const controller = new AbortController();
      // A client that leaves before the first event (a waiting task, a resume past the last event)
      // must end its follower too, not only one that leaves mid-stream.
      c.req.raw.signal.addEventListener('abort', () => controller.abort(), { once: true });
      const events = invokeStreamOperation(runtime, operation, raw, actorOf(c), controller.signal)[
        Symbol.asyncIterator
      ]();
      // Pull the first event before answering, so an unknown task is a 404, not an empty stream.
      const first = await events.next();
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => controller.abort());
        try {
          let next = first;
          while (!next.done) {
            const { event, id, data } = next.value;
            await stream.writeSSE({ event, data: JSON.stringify(data), ...(id ? { id } : {}) });
            next = await events.next();
          }
        } catch (error) {
          // The 200 is already sent; log it, and let the stream end so the client reconnects.
          logger.error('event stream failed', {
            method: c.req.method,
            path: c.req.path,
            message: error instanceof Error ? error.message : String(error),
            stack: error instanceof Error ? error.stack : undefined,
          });
        }
      });
    });
  }

  mountA2a(app, { runtime, bearer: Boolean(options.authToken), version: options.version ?? '0.0.0', logger });

  // Built on first request: turning every operation's schemas into JSON Schema costs ~100 ms, which
  // a server should not spend before it answers its first request.
  let document: ReturnType<typeof openApiDocument> | undefined;
  app.get('/v1/openapi.json', (c) => {
    document ??= openApiDocument({
      operations,
      streamOperations,
      publicPaths: PUBLIC_PATHS,
      version: options.version ?? '0.0.0',
    });
    return c.json(document);
  });
  return app;
}

/** The success status for a request, from its validated input and its result. */
function successStatus(operation: Operation, input: unknown, output: unknown): number {
  const status = operation.http.status ?? 200;
  return typeof status === 'number' ? status : status.of(input, output);
}

/** The `Host` the client asked for (app.request() sends none; its URL carries it instead). */
function requestHost(c: Context): string {
  return c.req.header('host') ?? new URL(c.req.url).host;
}

/** Whether `origin` is this very server on a loopback name: its own pages may call it. */
function isOwnLoopbackOrigin(origin: string, host: string): boolean {
  if (!URL.canParse(origin)) return false;
  const { host: originHost } = new URL(origin);
  return isLoopbackHost(originHost) && originHost === host.toLowerCase();
}

/** The operation input from path params, query string and (for POST) the JSON body. */
async function requestInput(
  c: Context,
  http: HttpBinding,
  queryKeys: ReadonlySet<string> | undefined,
): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    if (queryKeys !== undefined && !queryKeys.has(key)) continue;
    input[key] = values.length === 1 ? values[0] : values;
  }
  if (http.method === 'POST') {
    const text = await c.req.text();
    // A form or text/plain POST needs no CORS preflight, so accepting one would let any page submit.
    if (text.length > 0 && !JSON_MEDIA_TYPE.test(c.req.header('content-type') ?? '')) {
      throw requestError(
        'request.unsupported_media_type',
        'request bodies must be JSON (Content-Type: application/json)',
      );
    }
    if (text.trim().length > 0) {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw requestError('request.invalid_json', 'the request body is not valid JSON');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw requestError('request.invalid_json', 'the request body must be a JSON object');
      }
      // Own properties only: Object.assign would turn a `"__proto__"` key into the input's prototype,
      // whose fields the strict schemas read but never see as unknown keys.
      for (const [key, value] of Object.entries(body)) {
        Object.defineProperty(input, key, { value, enumerable: true, writable: true, configurable: true });
      }
    }
  }
  Object.assign(input, c.req.param());
  return input;
}
