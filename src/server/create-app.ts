import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { validate } from '../core/validate.js';
import { invokeOperation, operations, streamOperations } from '../operations/index.js';
import type { HttpBinding } from '../operations/index.js';
import type { Runtime } from '../runtime/index.js';
import { errorResponse, requestError } from './error-response.js';
import { openApiDocument } from './openapi.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  runtime: Runtime;
  /** When set, every route but `/v1/health` needs `Authorization: Bearer <token>`. */
  authToken?: string;
  version?: string;
}

/** The HTTP API as a Hono app, with one route per operation. Usable with `app.request()` in tests. */
export function createApp(options: AppOptions): Hono {
  const { runtime } = options;
  const app = new Hono();

  app.onError((error, c) => {
    const { status, body } = errorResponse(error);
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json({ error: { code: 'route.not_found', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );

  if (options.authToken) {
    const expected = Buffer.from(`Bearer ${options.authToken}`);
    app.use('/v1/*', async (c, next) => {
      if (c.req.path === '/v1/health') return next();
      const given = Buffer.from(c.req.header('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw requestError(
          'auth.required',
          'a valid bearer token is required (Authorization: Bearer <token>)',
        );
      }
      return next();
    });
  }

  for (const operation of operations) {
    route(app, operation.http, async (c) => {
      const result = await invokeOperation(runtime, operation, await requestInput(c, operation.http));
      return c.json(result as object, (operation.http.status ?? 200) as 200);
    });
  }

  for (const operation of streamOperations) {
    route(app, operation.http, async (c) => {
      const raw = await requestInput(c, operation.http);
      const lastEventId = c.req.header('last-event-id');
      if (lastEventId && /^\d+$/.test(lastEventId)) raw['after'] = lastEventId;
      const input = validate(operation.input, raw, { where: operation.name, code: 'request.invalid' });
      const controller = new AbortController();
      const events = operation.stream(runtime, input, controller.signal)[Symbol.asyncIterator]();
      // Pull the first event before answering, so an unknown task is a 404, not an empty stream.
      const first = await events.next();
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => controller.abort());
        let next = first;
        while (!next.done) {
          const { event, id, data } = next.value;
          await stream.writeSSE({ event, data: JSON.stringify(data), ...(id ? { id } : {}) });
          next = await events.next();
        }
      });
    });
  }

  const document = openApiDocument({ operations, streamOperations, version: options.version ?? '0.0.0' });
  app.get('/v1/openapi.json', (c) => c.json(document));
  return app;
}

function route(app: Hono, http: HttpBinding, handler: (c: Context) => Promise<Response>): void {
  app.on(http.method, http.path, handler);
}

/** The operation input from path params, query string and (for POST) the JSON body. */
async function requestInput(c: Context, http: HttpBinding): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    input[key] = values.length === 1 ? values[0] : values;
  }
  if (http.method === 'POST') {
    const text = await c.req.text();
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
      Object.assign(input, body);
    }
  }
  Object.assign(input, c.req.param());
  return input;
}
