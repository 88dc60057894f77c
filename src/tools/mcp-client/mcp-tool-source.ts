import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { AgentdError } from '../../core/errors.js';
import type { Json } from '../../core/json.js';
import type { Logger } from '../../core/logger.js';
import type { NetGuard } from '../../security/index.js';
import type { McpPinStore, McpToolPin } from '../../store/mcp-pin-store.js';
import type { AnyTool } from '../define-tool.js';
import type { ToolSource } from '../tool-registry.js';
import type { McpConfig } from '../mcp-client-config.js';
import './mcp-error-codes.js';
import { McpServerConnection } from './mcp-server-connection.js';
import type { ResolveValue } from './mcp-server-connection.js';
import { toolDefinitionHash } from './tool-definition-hash.js';

/** The prefix of tool references that name MCP servers' tools in an agent's `tools`. */
export const MCP_TOOL_PREFIX = 'mcp:';

/** The span attribute naming the MCP server a tool call went to. */
export const MCP_SERVER_ATTRIBUTE = 'agentd.mcp.server';

/** A server's tool as `agentd mcp tools list` shows it. */
export interface McpToolStatus {
  server: string;
  tool: string;
  /** `pinned`: the definition is the approved one; `changed`: disabled until approved; `unpinned`: not used yet. */
  status: 'pinned' | 'changed' | 'unpinned';
  hash: string;
  /** The definition the server lists now (what `hash` covers), for a person to review. */
  description: string;
  inputSchema: unknown;
  pinnedHash: string | null;
  approvedAt: number | null;
  approvedBy: string | null;
}

/** Options of {@link createMcpToolSource}. */
export interface McpToolSourceOptions {
  config: McpConfig;
  pins: McpPinStore;
  /** The outbound-request guard HTTP servers are reached through. */
  guard: NetGuard;
  resolveValue: ResolveValue;
  clock: Clock;
  logger: Logger;
  /** The client version announced to servers (default `0.1.0`). */
  version?: string;
}

/** The tools of the configured MCP servers, for the tool registry, and their pins, for people. */
export interface McpToolSource extends ToolSource {
  /** Every tool of the configured servers (or of `server`) with its pin status; connects to them. */
  status(server?: string): Promise<McpToolStatus[]>;
  /**
   * Pins the current definition of `server`/`tool` as approved by `actor`; returns the new pin. With
   * `reviewed` (a hash, or its first 12+ characters, as `status` showed it), only if the definition is
   * still the one the person reviewed: a server cannot switch it between review and approval.
   */
  approve(server: string, tool: string, actor: string, reviewed?: string): Promise<McpToolPin>;
  /** The connection of `server` (tests kill a stdio server through its pid). */
  connection(server: string): McpServerConnection;
  /** Closes every connection (stops stdio servers). */
  close(): Promise<void>;
}

/** Creates the MCP tool source: one lazily connected client per configured server. */
export function createMcpToolSource(options: McpToolSourceOptions): McpToolSource {
  const connections = new Map<string, McpServerConnection>();
  for (const [name, config] of Object.entries(options.config.servers)) {
    connections.set(
      name,
      new McpServerConnection({
        name,
        config,
        guard: options.guard,
        resolveValue: options.resolveValue,
        logger: options.logger,
        version: options.version ?? '0.1.0',
      }),
    );
  }

  function connection(server: string): McpServerConnection {
    const found = connections.get(server);
    if (!found) {
      const configured = [...connections.keys()];
      throw new AgentdError({
        code: 'mcp.unknown_server',
        message: `no MCP server '${server}' is configured (mcp.servers: ${configured.join(', ') || 'none'})`,
        details: { server, configured },
      });
    }
    return found;
  }

  function parse(reference: string): { server: string; tool: string | undefined } {
    const rest = reference.slice(MCP_TOOL_PREFIX.length);
    const slash = rest.indexOf('/');
    const server = slash === -1 ? rest : rest.slice(0, slash);
    const tool = slash === -1 ? undefined : rest.slice(slash + 1);
    connection(server);
    if (tool === '') {
      throw new AgentdError({
        code: 'mcp.tool_not_found',
        message: `'${reference}' names no tool: use mcp:${server} or mcp:${server}/<tool>`,
      });
    }
    return { server, tool };
  }

  async function findTool(server: string, tool: string): Promise<Tool> {
    const listed = await connection(server).listTools();
    const found = listed.find((t) => t.name === tool);
    if (!found) {
      throw new AgentdError({
        code: 'mcp.tool_not_found',
        message: `MCP server '${server}' has no tool '${tool}' (it lists: ${listed.map((t) => t.name).join(', ') || 'none'})`,
        details: { server, tool },
      });
    }
    return found;
  }

  function changedError(server: string, tool: string): AgentdError {
    return new AgentdError({
      code: 'mcp.tool_changed',
      message:
        `MCP tool ${server}/${tool} changed since it was approved (its name, description or input schema); ` +
        `it is disabled until a person reviews it and runs: agentd mcp tools approve ${server}/${tool}`,
      details: { server, tool },
    });
  }

  function adapt(server: string, listed: Tool, pin: McpToolPin | undefined): AnyTool {
    const hash = toolDefinitionHash(listed);
    const changed = pin !== undefined && pin.hash !== hash;
    const conn = connection(server);
    const approval = conn.config.requireApproval;
    const annotations = listed.annotations;
    return {
      name: exposedName(server, listed.name),
      // A changed definition may be a rug pull: the model never reads its new text.
      description: changed
        ? `[disabled: this tool of MCP server '${server}' changed since it was approved]`
        : // Only pinned text: the title is not in the pin, so a server could change it unnoticed.
          (listed.description ?? listed.name),
      input: z.record(z.string(), z.unknown()),
      inputSchema: changed
        ? { type: 'object', properties: {} }
        : (listed.inputSchema as Record<string, unknown>),
      requiresApproval: approval === true || (Array.isArray(approval) && approval.includes(listed.name)),
      // The server's own word is all there is; without it a call may have side effects.
      idempotent: annotations?.idempotentHint === true || annotations?.readOnlyHint === true,
      attributes: { [MCP_SERVER_ATTRIBUTE]: server },
      async execute(input, context) {
        if (changed) throw changedError(server, listed.name);
        // The first use pins the definition the model was shown; another process may have pinned first.
        const stored = await options.pins.pinIfAbsent({
          server,
          tool: listed.name,
          hash,
          approvedAt: options.clock.now(),
          approvedBy: 'first-use',
        });
        if (stored.hash !== hash) throw changedError(server, listed.name);
        const result = await conn.callTool(listed.name, input as Record<string, unknown>, context.signal);
        return toolOutput(server, listed.name, result);
      },
    };
  }

  return {
    prefix: MCP_TOOL_PREFIX,
    check(reference) {
      parse(reference);
    },
    async resolve(references) {
      const wanted = new Map<string, Set<string> | 'all'>();
      for (const reference of references) {
        const { server, tool } = parse(reference);
        const current = wanted.get(server);
        if (tool === undefined) wanted.set(server, 'all');
        else if (current !== 'all') wanted.set(server, (current ?? new Set()).add(tool));
      }
      const tools: AnyTool[] = [];
      for (const [server, which] of wanted) {
        const listed = await connection(server).listTools();
        if (which !== 'all') {
          for (const tool of which) {
            if (!listed.some((t) => t.name === tool)) await findTool(server, tool);
          }
        }
        for (const tool of listed) {
          if (which !== 'all' && !which.has(tool.name)) continue;
          tools.push(adapt(server, tool, await options.pins.get(server, tool.name)));
        }
      }
      return tools;
    },
    async status(only) {
      const servers = only === undefined ? [...connections.keys()] : [connection(only).name];
      const rows: McpToolStatus[] = [];
      for (const server of servers) {
        for (const tool of await connection(server).listTools()) {
          const hash = toolDefinitionHash(tool);
          const pin = await options.pins.get(server, tool.name);
          rows.push({
            server,
            tool: tool.name,
            status: pin === undefined ? 'unpinned' : pin.hash === hash ? 'pinned' : 'changed',
            hash,
            description: tool.description ?? '',
            inputSchema: tool.inputSchema ?? null,
            pinnedHash: pin?.hash ?? null,
            approvedAt: pin?.approvedAt ?? null,
            approvedBy: pin?.approvedBy ?? null,
          });
        }
      }
      return rows;
    },
    async approve(server, tool, actor, reviewed) {
      const listed = await findTool(server, tool);
      const hash = toolDefinitionHash(listed);
      if (reviewed !== undefined && !hash.startsWith(reviewed.toLowerCase())) {
        throw new AgentdError({
          code: 'mcp.tool_changed',
          message:
            `MCP tool ${server}/${tool} is no longer the definition you reviewed (${reviewed}); it is now ` +
            `${hash.slice(0, 12)}: review it again with agentd mcp tools list, nothing was approved`,
          details: { server, tool, hash },
        });
      }
      const pin = {
        server,
        tool,
        hash,
        approvedAt: options.clock.now(),
        approvedBy: actor,
      };
      await options.pins.put(pin);
      options.logger.info('mcp: tool definition approved', { server, tool, actor });
      return pin;
    },
    connection,
    async close() {
      await Promise.all([...connections.values()].map((c) => c.close()));
    },
  };
}

/** The tool's name as models see it: `mcp_<server>_<tool>`, in the characters and length they accept. */
export function exposedName(server: string, tool: string): string {
  return `mcp_${server}_${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, 64);
}

/** A call's result as the model reads it: the text parts, and the structured result when there is one. */
function toolOutput(server: string, tool: string, result: CallToolResult): Json {
  const text = (result.content ?? [])
    .map((part) =>
      part.type === 'text' ? part.text : `[${part.type}${'mimeType' in part ? ` ${part.mimeType}` : ''}]`,
    )
    .join('\n');
  if (result.isError) {
    throw new AgentdError({
      code: 'mcp.tool_error',
      message: `MCP tool ${server}/${tool} failed: ${text || 'no message'}`,
      details: { server, tool },
    });
  }
  if (result.structuredContent !== undefined) return { text, structured: result.structuredContent as Json };
  return text;
}
