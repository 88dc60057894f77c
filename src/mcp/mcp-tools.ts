import { z } from 'zod';
import type { Operation } from '../operations/index.js';

/** An operation as an MCP tool: its name, schemas and hints, as `tools/list` sends them. */
export interface McpTool {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
  outputSchema?: { type: 'object'; [key: string]: unknown };
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
}

/**
 * The tool name of an operation: `tasks.create` → `tasks_create`. MCP allows dots, but several of its
 * clients pass tool names on to model APIs that accept only `[A-Za-z0-9_-]` (OpenAI and Anthropic
 * function names), so the dot becomes an underscore. Calls by the dotted name are accepted too.
 */
export function toolNameOf(operation: Pick<Operation, 'name'>): string {
  return operation.name.replaceAll('.', '_');
}

/** The operations offered as tools: all but those only a person may invoke (`humanOnly`). */
export function toolOperations(operations: readonly Operation[]): Operation[] {
  return operations.filter((operation) => operation.humanOnly !== true);
}

/** Operations that remove or stop something: the `destructiveHint` of their tools. */
function isDestructive(operation: Operation): boolean {
  return (
    operation.http.method === 'DELETE' || /\.(cancel|forget|revoke|delete|rm|prune)$/.test(operation.name)
  );
}

function objectSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> | undefined {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json['$schema'];
  return json['type'] === 'object' ? json : undefined;
}

/**
 * Every operation as a tool, generated (never written by hand): the zod input schema as JSON Schema,
 * the output schema where it is an object (so clients may check `structuredContent`), and hints from
 * what the operation does — reads (GET) are read-only and idempotent, cancels and forgets destructive.
 */
export function mcpToolsOf(operations: readonly Operation[]): McpTool[] {
  return toolOperations(operations).map((operation) => {
    const reads = operation.http.method === 'GET';
    const output = objectSchema(operation.output, 'output');
    return {
      name: toolNameOf(operation),
      title: operation.name,
      description: operation.description,
      inputSchema: (objectSchema(operation.input, 'input') ?? { type: 'object' }) as McpTool['inputSchema'],
      ...(output ? { outputSchema: output as McpTool['inputSchema'] } : {}),
      annotations: {
        readOnlyHint: reads,
        destructiveHint: !reads && isDestructive(operation),
        idempotentHint: reads,
        // Tasks call models and tools beyond agentd; everything else stays inside it.
        openWorldHint: operation.name === 'tasks.create',
      },
    };
  });
}
