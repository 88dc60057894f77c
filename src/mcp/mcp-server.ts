import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { toAgentdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { getTask, invokeOperation, listTasks, operations, taskSpans } from '../operations/index.js';
import type { Actor, Operation, OperationContext } from '../operations/index.js';
import type { Runtime } from '../runtime/index.js';
import { mcpToolsOf, toolNameOf, toolOperations } from './mcp-tools.js';

/** Options of {@link createMcpServer}. */
export interface McpServerOptions {
  runtime: Runtime;
  /** Who the client is: every call is invoked as this actor, with its permissions. */
  actor: Actor;
  version: string;
  /** Where failures agentd itself caused are logged (never stdout: stdio carries the protocol). */
  logger: Logger;
}

/** Tools by the name clients call them: `tasks_create`, and the operation's own `tasks.create`. */
const OPERATIONS_BY_TOOL = new Map<string, Operation>(
  toolOperations(operations).flatMap((operation) => [
    [toolNameOf(operation), operation],
    [operation.name, operation],
  ]),
);

const TASK_RESOURCE = /^agentd:\/\/tasks\/([^/?#]+)(\/spans)?$/;

/**
 * The MCP server of agentd, generated from the operations like the HTTP API: each operation is a tool
 * (see mcp-tools.ts), invoked through `invokeOperation` with the client's actor, so permissions,
 * validation and audit are the same on every interface. A waited `tasks_create` reports the task's
 * events as progress notifications, and a client's cancellation cancels the task. Finished tasks and
 * their span trees are resources (`agentd://tasks/{id}`, `agentd://tasks/{id}/spans`).
 */
export function createMcpServer(options: McpServerOptions): Server {
  const { runtime, actor, logger } = options;
  const server = new Server(
    { name: 'agentd', title: 'agentd', version: options.version },
    {
      capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
      instructions:
        'agentd runs AI agent teams. Start work with tasks_create (wait: true returns the result and reports progress); read results with tasks_get or the agentd://tasks/{id} resource.',
    },
  );
  const tools = mcpToolsOf(operations);

  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const operation = OPERATIONS_BY_TOOL.get(request.params.name);
    if (!operation) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `unknown tool '${request.params.name}'; tools/list names them`,
      );
    }
    const progressToken = request.params._meta?.progressToken;
    const context: OperationContext = {
      cancelled: clientCancellation(server, extra.signal),
      ...(progressToken === undefined
        ? {}
        : {
            progress: ({ progress, message }) =>
              void extra
                .sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress, message },
                })
                .catch(() => undefined),
          }),
    };
    try {
      const output = await invokeOperation(
        runtime,
        operation,
        request.params.arguments ?? {},
        actor,
        context,
      );
      // Through JSON, so that what clients check against the output schema is what they receive.
      const structured = JSON.parse(JSON.stringify(output)) as Record<string, unknown>;
      return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
    } catch (thrown) {
      // A tool's failure is a result the model can read and act on (MCP: `isError`), not a protocol error.
      return { isError: true, content: [{ type: 'text', text: failureText(thrown, operation, logger) }] };
    }
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({
    resourceTemplates: [
      {
        uriTemplate: 'agentd://tasks/{id}',
        name: 'task',
        title: 'A task and its result',
        mimeType: 'application/json',
      },
      {
        uriTemplate: 'agentd://tasks/{id}/spans',
        name: 'task-spans',
        title: "A task's span tree: agents, model and tool calls with cost",
        mimeType: 'application/json',
      },
    ],
  }));

  server.setRequestHandler(ListResourcesRequestSchema, async () => {
    let tasks;
    try {
      ({ tasks } = await invokeOperation(runtime, listTasks, { limit: 50 }, actor));
    } catch (thrown) {
      // A refused permission is the client's to read, not an internal error (-32603).
      throw new McpError(ErrorCode.InvalidRequest, failureText(thrown, listTasks, logger));
    }
    return {
      resources: tasks.map((task) => ({
        uri: `agentd://tasks/${task.id}`,
        name: task.id,
        title: `${task.status}: ${task.id}`,
        mimeType: 'application/json',
      })),
    };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (request): Promise<ReadResourceResult> => {
    const match = TASK_RESOURCE.exec(request.params.uri);
    if (!match) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `no resource '${request.params.uri}': agentd://tasks/{id}[/spans]`,
      );
    }
    let id: string;
    try {
      id = decodeURIComponent(match[1] as string);
    } catch {
      throw new McpError(
        ErrorCode.InvalidParams,
        `no resource '${request.params.uri}': its id is not valid percent-encoding`,
      );
    }
    try {
      const value = match[2]
        ? await invokeOperation(runtime, taskSpans, { id }, actor)
        : await invokeOperation(runtime, getTask, { id }, actor);
      return {
        contents: [{ uri: request.params.uri, mimeType: 'application/json', text: JSON.stringify(value) }],
      };
    } catch (thrown) {
      const error = toAgentdError(thrown);
      const code = error.category === 'not_found' ? -32002 : ErrorCode.InvalidParams;
      throw new McpError(code, failureText(error, getTask, logger));
    }
  });

  return server;
}

/**
 * Aborts when the client cancels the request (`notifications/cancelled`), not when the connection
 * closes: the SDK aborts every running handler on close too, and an evicted HTTP session or a
 * desktop client that quits must not cancel the tasks it started. On close the SDK detaches the
 * transport right after aborting, so by the next microtask a closed server has none.
 */
function clientCancellation(server: Server, signal: AbortSignal): AbortSignal {
  const cancelled = new AbortController();
  signal.addEventListener(
    'abort',
    () =>
      queueMicrotask(() => {
        if (server.transport !== undefined) cancelled.abort(signal.reason);
      }),
    { once: true },
  );
  return cancelled.signal;
}

/** `code: message` for the client; a failure of agentd itself is logged and shown without details. */
function failureText(thrown: unknown, operation: Operation, logger: Logger): string {
  const error = toAgentdError(thrown);
  if (error.category === 'system') {
    logger.error('mcp tool failed', {
      tool: operation.name,
      code: error.code,
      message: error.message,
      stack: thrown instanceof Error ? thrown.stack : undefined,
    });
    return `${error.code}: internal error; see the agentd log`;
  }
  return `${error.code}: ${error.message}`;
}
