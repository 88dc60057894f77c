import { z } from 'zod';
import { ErrorBodySchema } from '../operations/index.js';
import type { Operation, StreamOperation } from '../operations/index.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  delete json['$schema'];
  return json;
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1] as string);
}

function parameters(operation: { input: z.ZodType; http: { method: string; path: string } }): unknown[] {
  const names = pathParams(operation.http.path);
  const params: unknown[] = names.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (operation.http.method === 'GET') {
    const properties = (schemaOf(operation.input, 'input')['properties'] ?? {}) as Record<string, JsonSchema>;
    for (const [name, schema] of Object.entries(properties)) {
      if (!names.includes(name)) params.push({ name, in: 'query', required: false, schema });
    }
  }
  return params;
}

/** The OpenAPI 3.1 document, generated from the operations' zod schemas. */
export function openApiDocument(options: {
  operations: readonly Operation[];
  streamOperations: readonly StreamOperation[];
  version: string;
}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = {
    description: 'Error',
    content: { 'application/json': { schema: schemaOf(ErrorBodySchema, 'output') } },
  };
  const add = (path: string, method: string, entry: unknown) => {
    const key = path.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[key] = { ...paths[key], [method.toLowerCase()]: entry };
  };
  for (const op of options.operations) {
    add(op.http.path, op.http.method, {
      operationId: op.name,
      summary: op.description,
      parameters: parameters(op),
      ...(op.http.method === 'POST' && !op.http.path.includes(':')
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schemaOf(op.input, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(op.http.status ?? 200)]: {
          description: 'OK',
          content: { 'application/json': { schema: schemaOf(op.output, 'output') } },
        },
        '400': errorResponse,
        '404': errorResponse,
      },
    });
  }
  for (const op of options.streamOperations) {
    add(op.http.path, op.http.method, {
      operationId: op.name,
      summary: op.description,
      parameters: parameters(op),
      responses: {
        '200': { description: 'Server-sent events', content: { 'text/event-stream': {} } },
        '404': errorResponse,
      },
    });
  }
  return {
    openapi: '3.1.0',
    info: { title: 'agentd', version: options.version, description: 'An operating system for AI agents.' },
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
