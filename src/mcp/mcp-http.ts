import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../core/logger.js';
import type { Actor } from '../operations/index.js';
import type { Runtime } from '../runtime/index.js';
import { credentialOf } from '../security/index.js';
import { createMcpServer } from './mcp-server.js';

/** Serves MCP's Streamable HTTP transport for `agentd serve` at `/mcp`. */
export interface McpHttpHandler {
  /** Answers one request of `actor` (already authenticated by the server). */
  handle(request: Request, actor: Actor, body: unknown): Promise<Response>;
  /** Ends every session. */
  close(): Promise<void>;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  owner: string;
  lastUsed: number;
}

/** Sessions kept at once; the least recently used goes first when a new one needs room. */
const MAX_SESSIONS = 100;
/**
 * Sessions one credential keeps at once; its own least recently used goes first. Without it, any
 * key (a viewer's) could open 100 sessions and push every other client's out.
 */
const MAX_SESSIONS_PER_CREDENTIAL = 20;
/** A session nobody used for this long is closed. */
const IDLE_MS = 30 * 60_000;

/**
 * Streamable HTTP sessions over the SDK's web-standard transport: an `initialize` request opens a
 * session (one MCP server per client, as the protocol expects), later requests carry its
 * `Mcp-Session-Id`. A session belongs to the actor that opened it: another token cannot use it.
 */
export function createMcpHttpHandler(options: {
  runtime: Runtime;
  version: string;
  logger: Logger;
}): McpHttpHandler {
  const sessions = new Map<string, Session>();

  const jsonRpcError = (status: number, message: string) =>
    Response.json({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }, { status });

  const closeOldest = async (among: [string, Session][]) => {
    const [oldestId, oldest] = among.sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0] ?? [];
    if (oldestId && oldest) {
      sessions.delete(oldestId);
      await oldest.transport.close();
    }
  };

  /** Makes room for a new session of `owner`. */
  const evict = async (now: number, owner: string) => {
    for (const [id, session] of sessions) {
      if (now - session.lastUsed > IDLE_MS) {
        sessions.delete(id);
        await session.transport.close();
      }
    }
    const own = [...sessions].filter(([, session]) => session.owner === owner);
    if (own.length >= MAX_SESSIONS_PER_CREDENTIAL) await closeOldest(own);
    else if (sessions.size >= MAX_SESSIONS) await closeOldest([...sessions]);
  };

  return {
    async handle(request, actor, body) {
      const now = Date.now();
      const sessionId = request.headers.get('mcp-session-id');
      if (sessionId) {
        const session = sessions.get(sessionId);
        // 404 tells a client its session is gone and that it should initialize again.
        if (!session) return jsonRpcError(404, 'unknown or expired MCP session; send initialize again');
        if (session.owner !== credentialOf(actor))
          return jsonRpcError(403, 'this MCP session belongs to another client');
        session.lastUsed = now;
        return session.transport.handleRequest(request, { parsedBody: body });
      }
      if (request.method !== 'POST' || !isInitializeRequest(body)) {
        return jsonRpcError(400, 'no Mcp-Session-Id: the first request of a session must be initialize');
      }
      await evict(now, credentialOf(actor));
      const transport: WebStandardStreamableHTTPServerTransport =
        new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            sessions.set(id, { transport, owner: credentialOf(actor), lastUsed: now });
          },
          onsessionclosed: (id) => {
            sessions.delete(id);
          },
        });
      const server = createMcpServer({
        runtime: options.runtime,
        actor,
        version: options.version,
        logger: options.logger,
      });
      await server.connect(transport);
      return transport.handleRequest(request, { parsedBody: body });
    },
    async close() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((session) => session.transport.close()));
    },
  };
}
