import { afterEach, describe, expect, it, vi } from 'vitest';
import { until } from './until.js';
import { fakeEmbedding, startFakeOpenAIServer } from './fake-openai-server.js';
import type { FakeOpenAIServer, FakeOpenAIServerOptions } from './fake-openai-server.js';

let server: FakeOpenAIServer | undefined;

async function start(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  server = await startFakeOpenAIServer(options);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

function chat(baseUrl: string, body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }], ...body }),
    ...init,
  });
}

/** The JSON payloads of an SSE body, up to `[DONE]`. */
function events(text: string): unknown[] {
  const data = text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
  expect(data.at(-1)).toBe('[DONE]');
  return data.slice(0, -1).map((d) => JSON.parse(d) as unknown);
}

describe('startFakeOpenAIServer', () => {
  it('listens on 127.0.0.1 with a base URL ending in /v1', async () => {
    const { baseUrl } = await start();
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  it('answers a non-streaming completion with text, usage and finish reason', async () => {
    const { baseUrl, requests } = await start({
      script: [{ text: 'hello there', usage: { promptTokens: 7, completionTokens: 2 } }],
    });
    const response = await chat(baseUrl, {});
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: unknown;
    };
    expect(body.choices[0]?.message.content).toBe('hello there');
    expect(body.choices[0]?.finish_reason).toBe('stop');
    expect(body.usage).toEqual({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
    expect(requests).toHaveLength(1);
    expect(requests[0]?.path).toBe('/v1/chat/completions');
    expect(requests[0]?.headers['authorization']).toBe('Bearer test-key');
    expect(requests[0]?.body?.messages?.[0]?.content).toBe('hi');
  });

  it("replies 'ok' once the script runs out", async () => {
    const { baseUrl } = await start({ script: [{ text: 'first' }] });
    await chat(baseUrl, {});
    const body = (await (await chat(baseUrl, {})).json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe('ok');
  });

  it('passes each request and its index to a script function', async () => {
    const { baseUrl } = await start({
      script: (request, index) => ({ text: `${index}:${request.body?.model ?? ''}` }),
    });
    await chat(baseUrl, {});
    const body = (await (await chat(baseUrl, { model: 'm2' })).json()) as {
      choices: { message: { content: string } }[];
    };
    expect(body.choices[0]?.message.content).toBe('1:m2');
  });

  it('streams text deltas, a finish chunk, a usage chunk when asked, then [DONE]', async () => {
    const { baseUrl } = await start({
      script: [{ text: 'one two three', usage: { promptTokens: 3, completionTokens: 3 } }],
    });
    const response = await chat(baseUrl, { stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = events(await response.text()) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
      usage?: unknown;
    }[];
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('one two three');
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '').length).toBeGreaterThan(1);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 },
    });
  });

  it('omits the usage chunk when the client does not ask for it', async () => {
    const { baseUrl } = await start();
    const chunks = events(await (await chat(baseUrl, { stream: true })).text()) as { usage?: unknown }[];
    expect(chunks.some((c) => c.usage !== undefined)).toBe(false);
  });

  it('streams tool calls as deltas with index, id, name and argument fragments', async () => {
    const { baseUrl } = await start({
      script: [{ toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris', days: 3 } }] }],
    });
    const chunks = events(await (await chat(baseUrl, { stream: true })).text()) as {
      choices: {
        delta: {
          tool_calls?: { index: number; id?: string; function: { name?: string; arguments?: string } }[];
        };
        finish_reason: string | null;
      }[];
    }[];
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, id: 'call_1', function: { name: 'weather' } });
    expect(deltas.length).toBeGreaterThan(2);
    expect(JSON.parse(deltas.map((d) => d.function.arguments ?? '').join(''))).toEqual({
      city: 'Paris',
      days: 3,
    });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers non-streaming tool calls with finish reason tool_calls', async () => {
    const { baseUrl } = await start({ script: [{ toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] }] });
    const body = (await (await chat(baseUrl, {})).json()) as {
      choices: { message: { content: null; tool_calls: unknown[] }; finish_reason: string }[];
    };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.content).toBeNull();
    expect(body.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_fake_0', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } },
    ]);
  });

  it('lists models', async () => {
    const { baseUrl } = await start({ models: ['llama3.2', 'qwen2.5'] });
    const body = (await (await fetch(`${baseUrl}/models`)).json()) as {
      object: string;
      data: { id: string }[];
    };
    expect(body.object).toBe('list');
    expect(body.data.map((m) => m.id)).toEqual(['llama3.2', 'qwen2.5']);
  });

  it('answers scripted error statuses with OpenAI-style bodies and headers', async () => {
    const { baseUrl } = await start({
      script: [
        { status: 429, headers: { 'retry-after': '1' } },
        { status: 401 },
        { status: 500, errorMessage: 'boom' },
      ],
    });
    const limited = await chat(baseUrl, {});
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.json()).toMatchObject({
      error: { code: 'rate_limit_exceeded', message: expect.any(String) },
    });
    const unauthorised = await chat(baseUrl, {});
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const failed = await chat(baseUrl, {});
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { message: 'boom', type: 'server_error' } });
  });

  it('waits delayMs before answering', async () => {
    const fake = await start({ delayMs: 80 });
    // The server's timers are the test's, so its delay passes when the test says so.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let answered = false;
      const response = chat(fake.baseUrl, {}).then((res) => ((answered = true), res));
      await until(() => fake.requests.length === 1, { message: 'the request to arrive' });
      // An undelayed route answers meanwhile; the delayed request stays unanswered until 80 ms have passed.
      expect((await fetch(`${fake.baseUrl}/models`)).status).toBe(200);
      await vi.advanceTimersByTimeAsync(79);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await response).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it('lets a hanging request be aborted by the client', async () => {
    const fake = await start({ script: [{ hang: true }] });
    const controller = new AbortController();
    const pending = chat(fake.baseUrl, {}, { signal: controller.signal });
    await until(() => fake.requests.length === 1, { message: 'the request to arrive' });
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('terminates hanging connections on close', async () => {
    const fake = await startFakeOpenAIServer({ script: [{ hang: true }] });
    const pending = chat(fake.baseUrl, {});
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    // Once the server has the request, close: the client must see the socket end.
    await until(() => fake.requests.length === 1, { message: 'the request to arrive' });
    await fake.close();
    expect(await outcome).toBe('failed');
    await fake.close(); // idempotent
  });

  it('resets the connection when asked, without answering', async () => {
    const fake = await start({ script: [{ reset: true }] });
    await expect(chat(fake.baseUrl, {})).rejects.toThrow(/fetch failed/);
    expect(fake.requests).toHaveLength(1);
  });

  it('breaks a stream off after the given number of content chunks, without finish or [DONE]', async () => {
    const fake = await start({ script: [{ text: 'one two three four', breakAfterChunks: 2 }] });
    const response = await chat(fake.baseUrl, { stream: true });
    expect(response.status).toBe(200);
    const received: string[] = [];
    const decoder = new TextDecoder();
    const reading = (async () => {
      for await (const bytes of response.body as AsyncIterable<Uint8Array>)
        received.push(decoder.decode(bytes));
    })();
    await expect(reading).rejects.toThrow(/terminated/);
    const text = received.join('');
    expect(text).toContain('"content":"one "');
    expect(text).toContain('"content":"two "');
    expect(text).not.toContain('three');
    expect(text).not.toContain('finish_reason":"stop"');
    expect(text).not.toContain('[DONE]');
  });

  it('stalls a stream after the given number of content chunks until the client gives up', async () => {
    const fake = await start({ script: [{ text: 'one two three', stallAfterChunks: 1 }] });
    const controller = new AbortController();
    const response = await chat(fake.baseUrl, { stream: true }, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"content":"one "')) {
      const { value } = await reader.read();
      text += decoder.decode(value);
    }
    // Nothing more comes: the next read waits until the client aborts.
    const next = reader.read();
    controller.abort();
    await expect(next).rejects.toThrow(/abort/i);
    expect(text).not.toContain('two');
  });

  it('answers unknown routes with 404', async () => {
    const { baseUrl } = await start();
    const response = await fetch(`${baseUrl}/images/generations`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});

describe('startFakeOpenAIServer embeddings', () => {
  interface EmbeddingsBody {
    object: string;
    data: { object: string; index: number; embedding: number[] | string }[];
    model: string;
    usage: { prompt_tokens: number; total_tokens: number };
  }

  function embeddings(baseUrl: string, body: Record<string, unknown>): Promise<Response> {
    return fetch(`${baseUrl}/embeddings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
      body: JSON.stringify({ model: 'fake-embedder', ...body }),
    });
  }

  it('answers one normalised vector per input, in order, and records the request', async () => {
    const { baseUrl, requests } = await start();
    const response = await embeddings(baseUrl, { input: ['red apple', 'blue sky'] });
    expect(response.status).toBe(200);
    const body = (await response.json()) as EmbeddingsBody;
    expect(body.object).toBe('list');
    expect(body.model).toBe('fake-embedder');
    expect(body.data.map((d) => d.index)).toEqual([0, 1]);
    expect(body.data[0]?.embedding).toEqual(Array.from(fakeEmbedding('red apple', 16)));
    expect(body.data[1]?.embedding).toEqual(Array.from(fakeEmbedding('blue sky', 16)));
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(requests[0]?.path).toBe('/v1/embeddings');
    expect(requests[0]?.body?.input).toEqual(['red apple', 'blue sky']);
    expect(requests[0]?.headers['authorization']).toBe('Bearer test-key');
  });

  it('accepts a single string input', async () => {
    const { baseUrl } = await start();
    const body = (await (await embeddings(baseUrl, { input: 'hello' })).json()) as EmbeddingsBody;
    expect(body.data).toHaveLength(1);
  });

  it('honours the requested dimensions, then the server default', async () => {
    const { baseUrl } = await start({ embeddingDimensions: 6 });
    const asked = (await (
      await embeddings(baseUrl, { input: ['a'], dimensions: 4 })
    ).json()) as EmbeddingsBody;
    expect(asked.data[0]?.embedding).toHaveLength(4);
    const unasked = (await (await embeddings(baseUrl, { input: ['a'] })).json()) as EmbeddingsBody;
    expect(unasked.data[0]?.embedding).toHaveLength(6);
  });

  it('encodes vectors as little-endian float32 base64 when asked', async () => {
    const { baseUrl } = await start();
    const body = (await (
      await embeddings(baseUrl, { input: ['green tea'], encoding_format: 'base64' })
    ).json()) as EmbeddingsBody;
    const bytes = Buffer.from(body.data[0]?.embedding as string, 'base64');
    const vector = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(Array.from(vector)).toEqual(Array.from(fakeEmbedding('green tea', 16)));
  });

  it('refuses empty and missing input with 400, like the hosted API', async () => {
    const { baseUrl } = await start();
    expect((await embeddings(baseUrl, { input: ['ok', ''] })).status).toBe(400);
    expect((await embeddings(baseUrl, { input: [] })).status).toBe(400);
    expect((await embeddings(baseUrl, {})).status).toBe(400);
  });

  it('answers scripted embedding replies, counted apart from chat requests', async () => {
    const { baseUrl } = await start({
      script: [{ status: 500 }],
      embeddingScript: [{ status: 401 }, { dimensions: 3 }],
    });
    const unauthorised = await embeddings(baseUrl, { input: ['x'] });
    expect(unauthorised.status).toBe(401);
    expect(await unauthorised.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
    const odd = (await (await embeddings(baseUrl, { input: ['x'] })).json()) as EmbeddingsBody;
    expect(odd.data[0]?.embedding).toHaveLength(3);
    expect((await embeddings(baseUrl, { input: ['x'] })).status).toBe(200);
    expect((await chat(baseUrl, {})).status).toBe(500);
  });

  it('passes each embeddings request and its index to a script function', async () => {
    const seen: number[] = [];
    const { baseUrl } = await start({
      embeddingScript: (_request, index) => {
        seen.push(index);
        return index === 1 ? { status: 503 } : {};
      },
    });
    expect((await embeddings(baseUrl, { input: ['x'] })).status).toBe(200);
    expect((await embeddings(baseUrl, { input: ['x'] })).status).toBe(503);
    expect(seen).toEqual([0, 1]);
  });
});
