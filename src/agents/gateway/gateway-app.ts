import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { AgentdError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import type { Logger } from '../../core/logger.js';
import type { LanguageModel } from '../../models/index.js';
import { parseChatRequest, toCallOptions } from './openai-chat-request.js';
import { completionOf, createChunkEncoder, openAiError } from './openai-chat-response.js';
import './gateway-error-codes.js';

/** One request's governed model, and what to do once its answer is complete. */
export interface GatewayCall {
  model: LanguageModel;
  /** The task the call is attributed to (answered as `x-agentd-task-id`). */
  taskId: string;
  /** Called once when the response has been sent (or failed): a standalone call ends its task here. */
  end(error?: unknown): void;
}

/** What an authorized caller may do through the gateway. */
export interface GatewayAccess {
  /** A governed model for a request asking for `model` (a catalog id or a virtual model). */
  open(
    model: string,
    tags: { user?: string | undefined; metadata?: Record<string, string> | undefined },
  ): Promise<GatewayCall>;
  /** Embeds texts with the configured embedding model. */
  embed(texts: string[], model: string): Promise<{ model: string; vectors: Float32Array[] }>;
}

/** Options of {@link createGatewayApp}. */
export interface GatewayAppOptions {
  /** Who the request comes from (a task key, or an API key / token for standalone use); throws 401/403. */
  authorize(c: Context): Promise<GatewayAccess>;
  /** The models `GET /models` lists: the catalog's and the router's virtual models. */
  models(): { id: string; ownedBy: string }[];
  logger?: Logger;
}

/** The response header naming the task a call was attributed to (its ledger rows and spans). */
const TASK_HEADER = 'x-agentd-task-id';

/** Request bodies up to this size are read (a long conversation with tool results fits). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const EmbeddingRequestSchema = z.strictObject({
  model: z.string().min(1).max(256),
  input: z.union([z.string().max(1_000_000), z.array(z.string().max(1_000_000)).min(1).max(2_048)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().max(256).optional(),
});

/**
 * The OpenAI-compatible API (`/chat/completions`, `/models`, `/embeddings`) as a Hono app to mount
 * under `/openai/v1`: a thin translation between the OpenAI wire and the governed model, which does
 * the routing, budgeting, metering, tracing, PII policy and journaling. Errors are OpenAI-shaped.
 */
export function createGatewayApp(options: GatewayAppOptions): Hono {
  const logger = options.logger ?? silentLogger;
  const app = new Hono();
  app.onError((error, c) => {
    const { status, body } = openAiError(error);
    if (status === 500)
      logger.error('gateway request failed', {
        path: c.req.path,
        message: error.message,
        stack: error.stack,
      });
    return c.json(body, status as 400);
  });
  app.notFound((c) =>
    c.json(
      openAiError(
        new AgentdError({
          code: 'gateway.invalid_request',
          message: `no route ${c.req.method} ${c.req.path}`,
        }),
      ).body,
      404,
    ),
  );
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new AgentdError({
        code: 'gateway.too_large',
        message: `request bodies are limited to ${MAX_BODY_BYTES / 1024 / 1024} MiB`,
      });
    },
  });

  app.get('/models', async (c) => {
    await options.authorize(c);
    return c.json({
      object: 'list',
      data: options.models().map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.ownedBy })),
    });
  });

  app.post('/chat/completions', limit, async (c) => {
    const access = await options.authorize(c);
    const request = parseChatRequest(await jsonBody(c));
    const callOptions = { ...toCallOptions(request), abortSignal: c.req.raw.signal };
    const call = await access.open(request.model, {
      user: request.user,
      metadata: request.metadata ?? undefined,
    });
    const created = Math.floor(Date.now() / 1000);
    if (!request.stream) {
      try {
        const result = await call.model.doGenerate(callOptions);
        call.end();
        c.header(TASK_HEADER, call.taskId);
        return c.json(completionOf(result, { model: request.model, created }));
      } catch (error) {
        call.end(error);
        throw error;
      }
    }
    let reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>;
    const head: LanguageModelV3StreamPart[] = [];
    try {
      reader = (await call.model.doStream(callOptions)).stream.getReader();
      // Wait for the first thing the model says before answering: a call refused before it started
      // (budget, an unknown model, a provider down) is an HTTP error status, not a 200 stream.
      for (;;) {
        const next = await reader.read();
        if (next.done) break;
        if (next.value.type === 'error') throw next.value.error;
        head.push(next.value);
        if (
          next.value.type === 'text-delta' ||
          next.value.type === 'tool-input-start' ||
          next.value.type === 'finish'
        )
          break;
      }
    } catch (error) {
      call.end(error);
      throw error;
    }
    const encoder = createChunkEncoder({
      model: request.model,
      created,
      includeUsage: request.stream_options?.include_usage === true,
    });
    const bytes = new TextEncoder();
    let ended = false;
    const end = (error?: unknown) => {
      if (!ended) call.end(error);
      ended = true;
    };
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.encode(encoder.start() + head.map((part) => encoder.encode(part)).join('')));
      },
      async pull(controller) {
        try {
          // Parts that make no chunk (text-end, metadata) are skipped here: a pull that enqueues
          // nothing is not called again.
          for (;;) {
            const next = await reader.read();
            if (next.done) {
              end();
              controller.close();
              return;
            }
            const text = encoder.encode(next.value);
            if (next.value.type === 'error') {
              // Past the 200, an error is an event in the stream, and the stream ends.
              end(next.value.error);
              controller.enqueue(bytes.encode(text));
              controller.close();
              await reader.cancel().catch(() => undefined);
              return;
            }
            if (text) {
              controller.enqueue(bytes.encode(text));
              return;
            }
          }
        } catch (error) {
          end(error);
          controller.enqueue(bytes.encode(encoder.encode({ type: 'error', error })));
          controller.close();
        }
      },
      cancel() {
        end();
        return reader.cancel();
      },
    });
    return new Response(body, {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        [TASK_HEADER]: call.taskId,
      },
    });
  });

  app.post('/embeddings', limit, async (c) => {
    const access = await options.authorize(c);
    const parsed = EmbeddingRequestSchema.safeParse(await jsonBody(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AgentdError({
        code: 'gateway.invalid_request',
        message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid request'}`,
        details: { param: issue?.path.join('.') ?? '' },
      });
    }
    const { input, encoding_format: encoding } = parsed.data;
    const texts = typeof input === 'string' ? [input] : input;
    const result = await access.embed(texts, parsed.data.model);
    const tokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    return c.json({
      object: 'list',
      model: result.model,
      data: result.vectors.map((vector, index) => {
        // OpenAI's base64 is the vector's little-endian float32 bytes (what its clients decode).
        const floats = Float32Array.from(vector);
        return {
          object: 'embedding',
          index,
          embedding:
            encoding === 'base64'
              ? Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64')
              : Array.from(floats),
        };
      }),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  });
  return app;
}

/** The request body as JSON, or `gateway.invalid_request`. */
async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AgentdError({ code: 'gateway.invalid_request', message: 'the request body is not valid JSON' });
  }
}
