import { z } from 'zod';
import { ErrorBodySchema } from '../operations/index.js';
import type { HttpBinding, Operation, StreamOperation } from '../operations/index.js';
import { MAX_BODY_BYTES } from './mount-route.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1] as string);
}

function parameters(operation: { input: z.ZodType; http: HttpBinding }): unknown[] {
  const names = pathParams(operation.http.path);
  const params: unknown[] = names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const input = schemaOf(operation.input, 'input');
  const properties = (input['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((input['required'] ?? []) as string[]);
  // A GET takes its whole input from the query; a POST only the fields its binding names.
  const fromQuery = operation.http.method === 'GET' ? Object.keys(properties) : (operation.http.query ?? []);
  for (const name of fromQuery) {
    const schema = properties[name];
    if (schema && !names.includes(name)) {
      params.push({ name, in: 'query', required: required.has(name), schema });
    }
  }
  return params;
}

/**
 * The JSON body of a POST: its whole input, or for a route with path parameters (`/v1/reviews/:id`)
 * the input without them, and none when nothing is left.
 */
function requestBody(op: Operation): { requestBody?: unknown } {
  if (op.http.method !== 'POST') return {};
  const schema = schemaOf(op.input, 'input');
  const names = pathParams(op.http.path);
  if (names.length === 0)
    return { requestBody: { required: true, content: { 'application/json': { schema } } } };
  const properties = { ...((schema['properties'] ?? {}) as Record<string, JsonSchema>) };
  for (const name of [...names, ...(op.http.query ?? [])]) delete properties[name];
  if (Object.keys(properties).length === 0) return {};
  const required = ((schema['required'] ?? []) as string[]).filter((name) => name in properties);
  const body: JsonSchema = {
    ...schema,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
  if (required.length === 0) delete body['required'];
  return {
    requestBody: { required: required.length > 0, content: { 'application/json': { schema: body } } },
  };
}

function successStatuses(http: HttpBinding): readonly number[] {
  const status = http.status ?? 200;
  return typeof status === 'number' ? [status] : status.all;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 200: 'OK', 201: 'Created', 202: 'Accepted' };

const AUTH_NOTE =
  'Authentication: Authorization: Bearer <token>, where the token is server.authToken (an admin) or an API key (agentd keys create), whose role decides what it may call (x-agentd-permission on each operation) and whose tenant, if bound, fixes the tenant parameter. Required when the server is configured with server.authToken; /v1/health and /v1/openapi.json never need one. Repeated failures from one address, or too many requests with one key, get 429 with Retry-After.';

/** The OpenAPI 3.1 document, generated from the operations' zod schemas. */
export function openApiDocument(options: {
  operations: readonly Operation[];
  streamOperations: readonly StreamOperation[];
  /** Paths served without a token; every other operation lists the bearer scheme. */
  publicPaths: ReadonlySet<string>;
  version: string;
}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: schemaOf(ErrorBodySchema, 'output') } },
  });
  /** The error responses any route can give, by what the route is. */
  const errorResponses = (http: HttpBinding) => ({
    '400': error('Invalid request'),
    ...(options.publicPaths.has(http.path)
      ? {}
      : {
          '401': error('Missing or wrong bearer token or API key'),
          '429': error(
            'Too many failed authentications from this address, or too many requests with this key; see Retry-After',
          ),
        }),
    '403': error(
      'Forbidden: the key lacks the permission (permission.denied), names another tenant than its own (permission.tenant_denied), or the Origin or Host header is refused',
    ),
    ...(pathParams(http.path).length > 0 ? { '404': error('Not found') } : {}),
    '503': error(
      "Busy (a full run queue) or over the route's time limit: try again after Retry-After seconds",
    ),
    ...Object.fromEntries(
      Object.entries(http.errors ?? {}).map(([status, description]) => [status, error(description)]),
    ),
    ...(http.method === 'POST'
      ? {
          '413': error(`Request body over ${http.maxBodyBytes ?? MAX_BODY_BYTES} bytes`),
          '415': error('Request body not sent as Content-Type: application/json'),
        }
      : {}),
    '500': error('Internal error (details in the server log)'),
  });
  const security = (http: HttpBinding) => (options.publicPaths.has(http.path) ? [] : [{ bearer: [] }]);
  const add = (path: string, method: string, entry: unknown) => {
    const key = path.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[key] = { ...paths[key], [method.toLowerCase()]: entry };
  };
  for (const op of options.operations) {
    const output = { 'application/json': { schema: schemaOf(op.output, 'output') } };
    add(op.http.path, op.http.method, {
      operationId: op.name,
      summary: op.description,
      'x-agentd-permission': op.permission,
      'x-agentd-tenancy': op.tenancy,
      parameters: parameters(op),
      security: security(op.http),
      ...requestBody(op),
      responses: {
        ...Object.fromEntries(
          successStatuses(op.http).map((status) => [
            String(status),
            { description: STATUS_TEXT[status] ?? 'Success', content: output },
          ]),
        ),
        ...errorResponses(op.http),
      },
    });
  }
  for (const op of options.streamOperations) {
    add(op.http.path, op.http.method, {
      operationId: op.name,
      summary: op.description,
      parameters: [
        ...parameters(op),
        {
          name: 'Last-Event-ID',
          in: 'header',
          required: false,
          description: 'Resume after this event id (sent by EventSource on reconnect); overrides ?after=.',
          schema: { type: 'string', pattern: '^\\d+$' },
        },
      ],
      security: security(op.http),
      responses: {
        '200': { description: 'Server-sent events', content: { 'text/event-stream': {} } },
        ...errorResponses(op.http),
      },
    });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'agentd',
      version: options.version,
      description: `An operating system for AI agents. ${AUTH_NOTE}`,
    },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: AUTH_NOTE } },
    },
  };
}
