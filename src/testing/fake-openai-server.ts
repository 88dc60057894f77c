// A hand-written test double of the OpenAI chat-completions and embeddings HTTP protocol: provider
// tests must exercise the real AI SDK clients over a real socket (request shape, SSE parsing, usage,
// tool-call deltas, batching, error statuses), which neither a mocked fetch nor a hosted API can give
// offline.
import { fnv1a } from '../core/hash.js';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted reply of the fake server to a chat-completions request. */
export interface FakeReply {
  /** Assistant text. Omitted with no tool calls → `''`. */
  text?: string;
  /** Tool calls the assistant asks for (finish reason `tool_calls`). */
  toolCalls?: { id?: string; name: string; arguments: object }[];
  /** Reported usage; omitted → characters / 4 of the request messages and of the reply. */
  usage?: { promptTokens: number; completionTokens: number };
  /** An HTTP error status (≥ 400) answered with an OpenAI-style error body instead of a completion. */
  status?: number;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** The error body's message, for error statuses. */
  errorMessage?: string;
  /** Wait this long before answering (overrides the server's `delayMs`). */
  delayMs?: number;
  /** Never answer, until the server is closed or the client aborts. */
  hang?: boolean;
  /** Reset the connection (TCP RST) instead of answering. */
  reset?: boolean;
  /**
   * Streamed replies only: after this many content chunks (text or tool-call deltas), close the
   * connection without a finish chunk or `[DONE]`: the answer breaks off mid-stream.
   */
  breakAfterChunks?: number;
  /**
   * Streamed replies only: after this many content chunks (0: right after the headers and the role
   * chunk), send nothing more until the client gives up or the server closes: a stalled stream.
   */
  stallAfterChunks?: number;
  /**
   * Streamed replies only: send the whole answer, its finish chunk and its usage, then hold the
   * connection open without `[DONE]` or the end of the body: the provider is done (and billed the
   * call), the client has not seen the stream end.
   */
  holdAfterUsage?: boolean;
}

/** A chat message as the client sent it (unvalidated JSON). */
export interface FakeChatMessage {
  role: string;
  content?: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A chat-completions (or embeddings) request body as the client sent it (unvalidated JSON). */
export interface FakeChatRequestBody {
  model?: string;
  messages?: FakeChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  /** Embeddings: the text or texts to embed. */
  input?: string | string[];
  /** Embeddings: the requested vector size. */
  dimensions?: number;
  /** Embeddings: `float` (default) or `base64`. */
  encoding_format?: string;
  [key: string]: unknown;
}

/** One scripted reply of the fake server to an embeddings request; omitted fields → a normal answer. */
export interface FakeEmbeddingReply {
  /** An HTTP error status (≥ 400) answered with an OpenAI-style error body instead of vectors. */
  status?: number;
  /** Extra response headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** The error body's message, for error statuses. */
  errorMessage?: string;
  /** Answer vectors of this size, whatever the request asked (a misbehaving server). */
  dimensions?: number;
  /** Wait this long before answering (overrides the server's `delayMs`). */
  delayMs?: number;
  /** Never answer, until the server is closed or the client aborts. */
  hang?: boolean;
}

/** One request the fake server received, in arrival order. */
export interface RecordedRequest {
  method: string;
  /** The URL path, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The parsed JSON body; undefined for requests without one (e.g. `GET /v1/models`). */
  body: FakeChatRequestBody | undefined;
}

/** Decides the reply to the `index`-th chat-completions request (0-based). */
export type FakeScript =
  FakeReply[] | ((request: RecordedRequest, index: number) => FakeReply | Promise<FakeReply>);

/** Decides the reply to the `index`-th embeddings request (0-based), counted apart from chat requests. */
export type FakeEmbeddingScript =
  | FakeEmbeddingReply[]
  | ((request: RecordedRequest, index: number) => FakeEmbeddingReply | Promise<FakeEmbeddingReply>);

/** Options of {@link startFakeOpenAIServer}. */
export interface FakeOpenAIServerOptions {
  /** Replies in order; when the list runs out the reply is text `ok`. */
  script?: FakeScript;
  /** Model ids listed by `GET /v1/models`. Default `['fake-model']`. */
  models?: string[];
  /** Delay before every reply, in milliseconds. */
  delayMs?: number;
  /** Replies to `POST /v1/embeddings` in order; when the list runs out, vectors from {@link fakeEmbedding}. */
  embeddingScript?: FakeEmbeddingScript;
  /** The vector size of embeddings when the request names none. Default 16. */
  embeddingDimensions?: number;
  /** Keep every request in `requests` (default true); off for long load runs, whose memory it would fill. */
  recordRequests?: boolean;
}

/** A running fake server. */
export interface FakeOpenAIServer {
  /** `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  /** Every request received (chat completions, embeddings and model listings), in order; empty with `recordRequests: false`. */
  requests: RecordedRequest[];
  /** How many requests it received, recorded or not. */
  received(): number;
  /** Stops listening and terminates open connections (including hanging ones). */
  close(): Promise<void>;
}

const CREATED = 1_700_000_000;
const DEFAULT_EMBEDDING_DIMENSIONS = 16;

/**
 * The fake server's embedding of a text: a hashed bag of lower-cased words, L2-normalised, so equal
 * texts get equal vectors and texts sharing words point in similar directions. A text without words
 * gets the first unit vector, because a real model never answers a zero vector.
 */
export function fakeEmbedding(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const hash = fnv1a(word);
    // The top bit picks the sign so that unrelated words cancel out rather than all adding up.
    vector[hash % dimensions] = (vector[hash % dimensions] ?? 0) + (hash & 0x80000000 ? -1 : 1);
  }
  const norm = Math.hypot(...vector);
  if (norm === 0) vector[0] = 1;
  else for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] ?? 0) / norm;
  return vector;
}

/** Starts a real HTTP server on 127.0.0.1 (random port) speaking the OpenAI chat-completions and embeddings protocol. */
export async function startFakeOpenAIServer(
  options: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const models = options.models ?? ['fake-model'];
  let chatIndex = 0;
  let embeddingIndex = 0;
  let received = 0;
  const record = (request: RecordedRequest): void => {
    received++;
    if (options.recordRequests !== false) requests.push(request);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A failing script is a bug in the test; answer 500 so the client sees it, and log it.
      console.error('fake OpenAI server: handler failed', error);
      if (!res.headersSent) sendError(res, 500, {}, `fake server handler failed: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const raw = await readBody(req);
    let body: FakeChatRequestBody | undefined;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw) as FakeChatRequestBody;
      } catch (error) {
        record({ method: req.method ?? 'GET', path, headers: headersOf(req), body: undefined });
        sendError(res, 400, {}, `request body is not JSON: ${(error as Error).message}`);
        return;
      }
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path, headers: headersOf(req), body };
    record(recorded);

    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(
        res,
        200,
        {},
        {
          object: 'list',
          data: models.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'fake' })),
        },
      );
      return;
    }
    if (req.method === 'POST' && path === '/v1/embeddings') {
      const script = options.embeddingScript ?? [];
      const index = embeddingIndex++;
      const reply: FakeEmbeddingReply =
        typeof script === 'function' ? await script(recorded, index) : (script[index] ?? {});
      await answerEmbeddings(res, reply, body ?? {}, {
        delayMs: reply.delayMs ?? options.delayMs ?? 0,
        dimensions: options.embeddingDimensions ?? DEFAULT_EMBEDDING_DIMENSIONS,
      });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendError(res, 404, {}, `no route ${req.method ?? ''} ${path} on the fake OpenAI server`);
      return;
    }

    const index = chatIndex++;
    const script = options.script ?? [];
    const reply: FakeReply =
      typeof script === 'function' ? await script(recorded, index) : (script[index] ?? { text: 'ok' });

    const delayMs = reply.delayMs ?? options.delayMs ?? 0;
    if (delayMs > 0 && !(await sleepUnlessClosed(res, delayMs))) return;
    if (reply.hang) {
      await closed(res);
      return;
    }
    if (reply.reset) {
      res.socket?.resetAndDestroy();
      return;
    }
    if (reply.status !== undefined && reply.status >= 400) {
      sendError(res, reply.status, reply.headers ?? {}, reply.errorMessage);
      return;
    }
    const completion = completionOf(reply, body ?? {}, index);
    if (body?.stream)
      await streamCompletion(res, reply, completion, body.stream_options?.include_usage === true);
    else sendJson(res, reply.status ?? 200, reply.headers ?? {}, completionBody(completion));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    received: () => received,
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      })),
  };
}

interface Completion {
  id: string;
  model: string;
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: 'stop' | 'tool_calls';
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

function completionOf(reply: FakeReply, body: FakeChatRequestBody, index: number): Completion {
  const text = reply.text ?? '';
  const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_fake_${i}`,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  const promptTokens = reply.usage?.promptTokens ?? Math.ceil(JSON.stringify(body.messages ?? []).length / 4);
  const completionTokens =
    reply.usage?.completionTokens ??
    Math.ceil((text.length + toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0)) / 4);
  return {
    id: `chatcmpl-fake-${index}`,
    model: body.model ?? 'fake-model',
    text,
    toolCalls,
    finishReason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function completionBody(c: Completion): unknown {
  return {
    id: c.id,
    object: 'chat.completion',
    created: CREATED,
    model: c.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: c.text === '' && c.toolCalls.length > 0 ? null : c.text,
          ...(c.toolCalls.length > 0
            ? {
                tool_calls: c.toolCalls.map((t) => ({
                  id: t.id,
                  type: 'function',
                  function: { name: t.name, arguments: t.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: c.finishReason,
      },
    ],
    usage: c.usage,
  };
}

async function streamCompletion(
  res: ServerResponse,
  reply: FakeReply,
  c: Completion,
  includeUsage: boolean,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...reply.headers,
  });
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: c.id, object: 'chat.completion.chunk', created: CREATED, model: c.model, choices, ...extra })}\n\n`;
  const delta = (d: Record<string, unknown>, finishReason: string | null = null) =>
    chunk([{ index: 0, delta: d, logprobs: null, finish_reason: finishReason }]);

  // The content chunks, counted for breakAfterChunks and stallAfterChunks.
  const content: string[] = [];
  for (const piece of c.text.match(/\S+\s*|\s+/g) ?? []) content.push(delta({ content: piece }));
  c.toolCalls.forEach((call, index) => {
    content.push(
      delta({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (let at = 0; at < call.arguments.length; at += 8) {
      content.push(
        delta({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + 8) } }] }),
      );
    }
  });

  // Past the last content chunk, a break or a stall comes before the finish chunk.
  const stallAt = Math.min(reply.stallAfterChunks ?? Infinity, content.length);
  const breakAt = Math.min(reply.breakAfterChunks ?? Infinity, content.length);
  res.write(delta({ role: 'assistant' }));
  for (let sent = 0; sent <= content.length; sent++) {
    if (sent === stallAt && reply.stallAfterChunks !== undefined) {
      await closed(res);
      return;
    }
    if (sent === breakAt && reply.breakAfterChunks !== undefined) {
      await breakOff(res);
      return;
    }
    const data = content[sent];
    if (data !== undefined) res.write(data);
  }
  res.write(delta({}, c.finishReason));
  if (includeUsage) res.write(chunk([], { usage: c.usage }));
  if (reply.holdAfterUsage) {
    await closed(res);
    return;
  }
  res.end('data: [DONE]\n\n');
}

/** Closes a streamed response's connection mid-body once what was written has been flushed. */
async function breakOff(res: ServerResponse): Promise<void> {
  // Written chunks are flushed before the socket is torn down, so the client sees the partial answer.
  await new Promise<void>((resolve) => res.write('', () => resolve()));
  res.socket?.destroy();
}

async function answerEmbeddings(
  res: ServerResponse,
  reply: FakeEmbeddingReply,
  body: FakeChatRequestBody,
  defaults: { delayMs: number; dimensions: number },
): Promise<void> {
  if (defaults.delayMs > 0 && !(await sleepUnlessClosed(res, defaults.delayMs))) return;
  if (reply.hang) {
    await closed(res);
    return;
  }
  if (reply.status !== undefined && reply.status >= 400) {
    sendError(res, reply.status, reply.headers ?? {}, reply.errorMessage);
    return;
  }
  const input = typeof body.input === 'string' ? [body.input] : body.input;
  // The hosted API refuses these too; the fake does so that clients must not send them.
  if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string' && t !== '')) {
    sendError(
      res,
      400,
      {},
      "'$.input' is invalid: expected a non-empty string or array of non-empty strings",
    );
    return;
  }
  const dimensions = reply.dimensions ?? body.dimensions ?? defaults.dimensions;
  const base64 = body.encoding_format === 'base64';
  const tokens = input.reduce((n, text) => n + Math.ceil(text.length / 4), 0);
  sendJson(res, 200, reply.headers ?? {}, {
    object: 'list',
    data: input.map((text, index) => {
      const vector = fakeEmbedding(text, dimensions);
      return {
        object: 'embedding',
        index,
        embedding: base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector),
      };
    }),
    model: body.model ?? 'fake-embedding-model',
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  message?: string,
): void {
  const [type, code, fallback] =
    status === 401
      ? ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.']
      : status === 404
        ? ['invalid_request_error', 'not_found', 'Not found.']
        : status === 429
          ? ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests.']
          : status >= 500
            ? ['server_error', null, 'The server had an error while processing your request.']
            : ['invalid_request_error', null, 'Invalid request.'];
  sendJson(res, status, headers, { error: { message: message ?? fallback, type, param: null, code } });
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Resolves when the response's connection closes (client abort, server close, or after it ends). */
function closed(res: ServerResponse): Promise<void> {
  if (res.closed) return Promise.resolve();
  return new Promise((resolve) => res.once('close', () => resolve()));
}

/** Waits `ms`; false when the connection closed meanwhile (nothing left to answer). */
async function sleepUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), ms);
  });
  const result = await Promise.race([slept, closed(res).then(() => false)]);
  clearTimeout(timer);
  return result;
}
