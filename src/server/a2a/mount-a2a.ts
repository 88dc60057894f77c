import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { A2A_PROTOCOL_VERSION, A2A_VERSION_HEADER, AGENT_CARD_PATH, AgentCard } from '@a2a-js/sdk';
import { JsonRpcTransportHandler, ServerCallContext, validateVersion } from '@a2a-js/sdk/server';
import { VersionNotSupportedError } from '@a2a-js/sdk/errors';
import type { Logger } from '../../core/logger.js';
import type { Runtime } from '../../runtime/index.js';
import { actorOf } from '../authenticate.js';
import { requestError } from '../error-response.js';
import { mountRoute } from '../mount-route.js';
import { A2aContexts } from './a2a-contexts.js';
import { A2A_RPC_PATH, buildAgentCard } from './a2a-card.js';
import { AgentdA2aHandler } from './a2a-request-handler.js';

/** Options of {@link mountA2a}. */
export interface A2aMountOptions {
  runtime: Runtime;
  /** Whether the server needs a bearer credential (then the card declares it). */
  bearer: boolean;
  version: string;
  logger: Logger;
}

/** The previous protocol generation, whose clients get a clear version error. */
const A2A_LEGACY_PROTOCOL_VERSION = '0.3';

/**
 * Mounts A2A 1.0: the public Agent Card at `/.well-known/agent-card.json` and the JSON-RPC binding
 * at `POST /v1/a2a`, behind the API's authentication (it is under `/v1`) and its Host/Origin checks.
 * Methods of the 0.3 generation (`message/send`, …) or an `A2A-Version` other than 1.0 get the
 * JSON-RPC error VersionNotSupported (-32009).
 */
export function mountA2a(app: Hono, options: A2aMountOptions): void {
  const contexts = new A2aContexts();
  const cardFor = (c: Context) =>
    buildAgentCard({ origin: new URL(c.req.url).origin, version: options.version, bearer: options.bearer });

  app.get(`/${AGENT_CARD_PATH}`, (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.json(AgentCard.toJSON(cardFor(c)) as object);
  });

  // A blocking SendMessage lasts as long as its task (tasks.create bounds the wait to an hour), and a
  // stream as long as it follows one: no route time limit; the body limit is the API's.
  mountRoute(
    app,
    { method: 'POST', path: A2A_RPC_PATH, timeLimitMs: Number.POSITIVE_INFINITY },
    async (c) => {
      if (!/^application\/(json|a2a\+json)\b/i.test(c.req.header('content-type') ?? '')) {
        throw requestError(
          'request.unsupported_media_type',
          'A2A JSON-RPC requests must be JSON (Content-Type: application/json)',
        );
      }
      const text = await c.req.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return c.json(rpcError(null, -32700, 'the request body is not valid JSON'));
      }
      const id = rpcId(body);
      const card = cardFor(c);
      const method =
        typeof body === 'object' && body !== null ? (body as { method?: unknown }).method : undefined;
      const requested = c.req.header(A2A_VERSION_HEADER);
      // 0.3 methods were `message/send`, `tasks/get`, …; 1.0 renamed them (`SendMessage`, `GetTask`).
      if (typeof method === 'string' && method.includes('/')) {
        return c.json(
          rpcError(
            id,
            -32009,
            `'${method}' is an A2A ${A2A_LEGACY_PROTOCOL_VERSION} method; this server speaks A2A ${A2A_PROTOCOL_VERSION} only (methods SendMessage, SendStreamingMessage, GetTask, ListTasks, CancelTask, SubscribeToTask; header ${A2A_VERSION_HEADER}: ${A2A_PROTOCOL_VERSION})`,
          ),
        );
      }
      const context = new ServerCallContext({ ...(requested ? { requestedVersion: requested } : {}) });
      try {
        validateVersion(context.requestedVersion, card, 'JSONRPC');
      } catch (error) {
        const message =
          error instanceof VersionNotSupportedError || error instanceof Error ? error.message : String(error);
        return c.json(
          rpcError(
            id,
            -32009,
            `${message}${requested ? '' : ` (no ${A2A_VERSION_HEADER} header means ${A2A_LEGACY_PROTOCOL_VERSION}; send ${A2A_VERSION_HEADER}: ${A2A_PROTOCOL_VERSION})`}`,
          ),
        );
      }

      const handler = new JsonRpcTransportHandler(
        new AgentdA2aHandler(options.runtime, actorOf(c), card, contexts),
      );
      const answer = await handler.handle(body as Record<string, unknown>, context);
      if (!isAsyncIterable(answer)) return c.json(answer);

      const events = answer[Symbol.asyncIterator]();
      // Pull the first event before answering, so an error before the stream starts is a plain response.
      let first: IteratorResult<unknown>;
      try {
        first = await events.next();
      } catch (error) {
        return c.json({ jsonrpc: '2.0', id, error: JsonRpcTransportHandler.mapToJSONRPCError(error) });
      }
      return streamSSE(c, async (stream) => {
        stream.onAbort(() => void events.return?.(undefined));
        try {
          let next = first;
          while (!next.done) {
            await stream.writeSSE({ data: JSON.stringify(next.value) });
            next = await events.next();
          }
        } catch (error) {
          options.logger.error('A2A stream failed', {
            message: error instanceof Error ? error.message : String(error),
          });
          await stream.writeSSE({
            event: 'error',
            data: JSON.stringify({
              jsonrpc: '2.0',
              id,
              error: JsonRpcTransportHandler.mapToJSONRPCError(error),
            }),
          });
        }
      });
    },
  );
}

function rpcId(body: unknown): string | number | null {
  const id = typeof body === 'object' && body !== null ? (body as { id?: unknown }).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function rpcError(id: string | number | null, code: number, message: string) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
