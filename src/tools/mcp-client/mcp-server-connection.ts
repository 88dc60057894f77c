import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AgentdError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { NetGuard } from '../../security/index.js';
import { guardedMcpFetch } from './guarded-mcp-fetch.js';
import type { McpServerConfig } from '../mcp-client-config.js';
import './mcp-error-codes.js';

/** Bytes of a stdio server's stderr kept for the error that says why it did not start. */
const STDERR_TAIL_BYTES = 2048;

/** Pages of tools/list read at most: a server whose cursor never ends must not loop agentd forever. */
const MAX_TOOL_PAGES = 100;

/** Turns a config value (`env:VAR`, `secret:NAME` or literal text) into the text to use. */
export type ResolveValue = (value: string, where: string) => Promise<string>;

/** Options of {@link McpServerConnection}. */
export interface McpServerConnectionOptions {
  name: string;
  config: McpServerConfig;
  guard: NetGuard;
  resolveValue: ResolveValue;
  logger: Logger;
  version: string;
}

interface Live {
  client: Client;
  transport: Transport;
}

/**
 * One configured MCP server: connected on first use, shared by every task, started again on the
 * next use after its process exits (or its HTTP session fails), closed with the runtime.
 */
export class McpServerConnection {
  readonly name: string;
  readonly config: McpServerConfig;
  readonly #options: McpServerConnectionOptions;
  #live: Promise<Live> | undefined;
  #stderr = '';
  #closed = false;

  constructor(options: McpServerConnectionOptions) {
    this.name = options.name;
    this.config = options.config;
    this.#options = options;
  }

  /** The process id of a running stdio server (tests kill it to check the restart). */
  async pid(): Promise<number | null> {
    const live = await this.#connected();
    return live.transport instanceof StdioClientTransport ? live.transport.pid : null;
  }

  /** The tools the server lists now (every page). */
  async listTools(signal?: AbortSignal): Promise<Tool[]> {
    const { client } = await this.#connected();
    const tools: Tool[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      if (++pages > MAX_TOOL_PAGES) {
        throw new AgentdError({
          code: 'mcp.server_failed',
          message: `MCP server '${this.name}' listed more than ${MAX_TOOL_PAGES} pages of tools; its tools/list does not end`,
          details: { server: this.name },
        });
      }
      const page = await client.listTools(cursor ? { cursor } : undefined, {
        timeout: this.config.callTimeoutMs,
        ...(signal ? { signal } : {}),
      });
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** Calls a tool; the SDK validates structured output against the tool's output schema. */
  async callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<CallToolResult> {
    const { client } = await this.#connected();
    return (await client.callTool({ name: tool, arguments: args }, undefined, {
      signal,
      timeout: this.config.callTimeoutMs,
    })) as CallToolResult;
  }

  /** Closes the connection (stops a stdio server); later calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const live = this.#live;
    this.#live = undefined;
    if (!live) return;
    try {
      await (await live).client.close();
    } catch {
      // A connection that never came up has nothing to close.
    }
  }

  #connected(): Promise<Live> {
    if (this.#closed) {
      return Promise.reject(
        new AgentdError({
          code: 'mcp.server_failed',
          message: `MCP server '${this.name}': the runtime is closed`,
        }),
      );
    }
    if (!this.#live) {
      const attempt = this.#connect();
      this.#live = attempt;
      // A failed start is not cached: the next use tries again (the server may have been fixed).
      attempt.catch(() => {
        if (this.#live === attempt) this.#live = undefined;
      });
    }
    return this.#live;
  }

  async #connect(): Promise<Live> {
    const transport = await this.#transport();
    const client = new Client({ name: 'agentd', version: this.#options.version });
    const current = this.#live;
    client.onclose = () => {
      // A server that exits (or an HTTP session that ends) is started again on the next use.
      if (this.#live === current) this.#live = undefined;
      if (!this.#closed) this.#options.logger.warn('mcp: server connection closed', { server: this.name });
    };
    try {
      await client.connect(transport, { timeout: this.config.startTimeoutMs });
    } catch (error) {
      await client.close().catch(() => undefined);
      // The child's last words arrive through a pipe: let them land before reading the tail.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const reason = error instanceof Error ? error.message : String(error);
      const stderr = this.#stderr.trim();
      throw new AgentdError({
        code: 'mcp.server_failed',
        message:
          `MCP server '${this.name}' ${'command' in this.config ? 'did not start' : 'could not be reached'}: ${reason}` +
          (stderr ? `; its stderr ends with: ${stderr}` : ''),
        details: { server: this.name, ...(stderr ? { stderr } : {}) },
        cause: error,
      });
    }
    this.#options.logger.info('mcp: connected', { server: this.name });
    return { client, transport };
  }

  async #transport(): Promise<Transport> {
    const { config, resolveValue, name } = this.#options;
    if ('command' in config) {
      const env: Record<string, string> = {};
      for (const [key, value] of Object.entries(config.env)) {
        env[key] = await resolveValue(value, `mcp.servers.${name}.env.${key}`);
      }
      const transport = new StdioClientTransport({
        command: config.command,
        args: config.args,
        env,
        stderr: 'pipe',
        ...(config.cwd ? { cwd: config.cwd } : {}),
      });
      this.#stderr = '';
      transport.stderr?.on('data', (chunk: Buffer | string) => {
        this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_TAIL_BYTES);
      });
      return transport;
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(config.headers)) {
      headers[key] = await resolveValue(value, `mcp.servers.${name}.headers.${key}`);
    }
    return new StreamableHTTPClientTransport(new URL(config.url), {
      fetch: guardedMcpFetch(this.#options.guard),
      requestInit: { headers },
    });
  }
}
