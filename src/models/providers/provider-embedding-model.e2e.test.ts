import { afterEach, describe, expect, it } from 'vitest';
import { ModelCallError } from '../../core/errors.js';
import { fakeEmbedding, startFakeOpenAIServer } from '../../testing/fake-openai-server.js';
import type { FakeOpenAIServer, FakeOpenAIServerOptions } from '../../testing/fake-openai-server.js';
import { createProviderEmbeddingModel } from './provider-embedding-model.js';
import type { ProviderEmbeddingModelOptions } from './provider-embedding-model.js';

const KEY = 'sk-embed-secret-0123456789';

let server: FakeOpenAIServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  server = await startFakeOpenAIServer(options);
  return server;
}

/** The error an async call rejects with (fails the test when it resolves). */
async function failure(promise: Promise<unknown>): Promise<ModelCallError> {
  const error: unknown = await promise.then(
    () => expect.fail('expected a rejection'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelCallError);
  return error as ModelCallError;
}

const embeddingRequests = (fake: FakeOpenAIServer) =>
  fake.requests.filter((r) => r.path === '/v1/embeddings');

describe.each(['openai', 'openai-compatible'] as const)('createProviderEmbeddingModel (%s)', (provider) => {
  const create = (fake: FakeOpenAIServer, options: Partial<ProviderEmbeddingModelOptions> = {}) =>
    createProviderEmbeddingModel({
      provider,
      name: 'local',
      model: 'fake-embedder',
      baseUrl: fake.baseUrl,
      apiKey: KEY,
      maxRetries: 0,
      ...options,
    });

  it('returns one Float32Array per text, in order, with the server’s vectors', async () => {
    const fake = await start({ embeddingDimensions: 12 });
    const model = create(fake);
    const texts = ['the cat sat', 'stock prices fell', 'the cat sat'];
    const vectors = await model.embed(texts);
    expect(vectors).toHaveLength(3);
    vectors.forEach((vector, i) => {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(12);
      expect(vector).toEqual(fakeEmbedding(texts[i] ?? '', 12));
    });
    expect(vectors[0]).toEqual(vectors[2]);
    expect(vectors[0]).not.toEqual(vectors[1]);
    const [request] = embeddingRequests(fake);
    expect(request?.body).toMatchObject({ model: 'fake-embedder', input: texts, encoding_format: 'float' });
  });

  it('learns its dimensions and id from the first answer, and refuses to guess before it', async () => {
    const fake = await start({ embeddingDimensions: 10 });
    const model = create(fake);
    expect(() => model.id).toThrow(expect.objectContaining({ code: 'embedding.dimensions_unknown' }));
    expect(() => model.dimensions).toThrow(/configure dimensions/);
    await model.embed(['hello']);
    expect(model.dimensions).toBe(10);
    expect(model.id).toBe('local/fake-embedder@10');
  });

  it('knows configured dimensions at once and asks the server for them', async () => {
    const fake = await start({ embeddingDimensions: 10 });
    const model = create(fake, { dimensions: 6 });
    expect(model.dimensions).toBe(6);
    expect(model.id).toBe('local/fake-embedder@6');
    const [vector] = await model.embed(['hello']);
    expect(vector).toHaveLength(6);
    expect(embeddingRequests(fake)[0]?.body?.dimensions).toBe(6);
  });

  it('sends no dimensions when none are configured', async () => {
    const fake = await start();
    await create(fake).embed(['hello']);
    expect(embeddingRequests(fake)[0]?.body).not.toHaveProperty('dimensions');
  });

  it('splits a large input into batches of batchSize and keeps the order', async () => {
    const fake = await start();
    const model = create(fake, { batchSize: 3 });
    const texts = Array.from({ length: 8 }, (_, i) => `text number ${i}`);
    const vectors = await model.embed(texts);
    expect(embeddingRequests(fake).map((r) => r.body?.input)).toEqual([
      texts.slice(0, 3),
      texts.slice(3, 6),
      texts.slice(6),
    ]);
    expect(vectors).toEqual(texts.map((text) => fakeEmbedding(text, 16)));
  });

  it('keeps the order when batches run in parallel and finish out of order', async () => {
    // The first batch answers last.
    const fake = await start({ embeddingScript: (_request, index) => ({ delayMs: index === 0 ? 60 : 0 }) });
    const texts = Array.from({ length: 6 }, (_, i) => `word${i}`);
    const vectors = await create(fake, { batchSize: 2, maxParallelCalls: 3 }).embed(texts);
    expect(embeddingRequests(fake)).toHaveLength(3);
    expect(vectors).toEqual(texts.map((text) => fakeEmbedding(text, 16)));
  });

  it('respects the protocol’s limit of 2048 texts per request without a batchSize', async () => {
    const fake = await start({ embeddingDimensions: 2 });
    const texts = Array.from({ length: 2050 }, (_, i) => `t${i}`);
    const vectors = await create(fake).embed(texts);
    expect(embeddingRequests(fake).map((r) => r.body?.input?.length)).toEqual([2048, 2]);
    expect(vectors).toHaveLength(2050);
  });

  it('makes no request for no texts and sends empty texts as a space', async () => {
    const fake = await start();
    const model = create(fake);
    expect(await model.embed([])).toEqual([]);
    expect(embeddingRequests(fake)).toHaveLength(0);
    const vectors = await model.embed(['', 'x']);
    expect(vectors).toHaveLength(2);
    expect(embeddingRequests(fake)[0]?.body?.input).toEqual([' ', 'x']);
  });

  it('sends the API key as a bearer token, and configured headers', async () => {
    const fake = await start();
    await create(fake, { headers: { 'x-agentd-test': 'yes' } }).embed(['hello']);
    const [request] = embeddingRequests(fake);
    expect(request?.headers['authorization']).toBe(`Bearer ${KEY}`);
    expect(request?.headers['x-agentd-test']).toBe('yes');
  });

  it('reports a refused key as embedding.auth, naming model and server, without the key', async () => {
    // Like the hosted API, the fake echoes (here: all of) the key back in its message.
    const fake = await start({
      embeddingScript: [{ status: 401, errorMessage: `Incorrect API key: ${KEY}` }],
    });
    const error = await failure(create(fake).embed(['hello']));
    expect(error.code).toBe('embedding.auth');
    expect(error.category).toBe('invalid');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('local/fake-embedder');
    expect(error.message).toContain(fake.baseUrl);
    expect(error.message).toContain('401');
    expect(error.message).toContain('[redacted]');
    expect(error.message).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(error.cause).toBeUndefined();
    expect(embeddingRequests(fake)).toHaveLength(1);
  });

  it('reports a server error as a retryable embedding.failed with the status', async () => {
    const fake = await start({ embeddingScript: [{ status: 500, errorMessage: 'boom' }] });
    const error = await failure(create(fake).embed(['hello']));
    expect(error.code).toBe('embedding.failed');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(/HTTP 500.*boom/);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('retries retryable failures before giving up', async () => {
    const fake = await start({
      embeddingScript: [
        { status: 503, headers: { 'retry-after-ms': '5' } },
        { status: 503, headers: { 'retry-after-ms': '5' } },
      ],
    });
    const vectors = await create(fake, { maxRetries: 2 }).embed(['hello']);
    expect(vectors[0]).toEqual(fakeEmbedding('hello', 16));
    expect(embeddingRequests(fake)).toHaveLength(3);
  });

  it('says how many attempts failed once retries run out', async () => {
    const busy = { status: 429, headers: { 'retry-after-ms': '5' } };
    const fake = await start({ embeddingScript: [busy, busy] });
    const error = await failure(create(fake, { maxRetries: 1 }).embed(['hello']));
    expect(error.code).toBe('embedding.failed');
    expect(error.message).toMatch(/HTTP 429 \(after 2 attempts\)/);
  });

  it('reports a server that answers vectors of the wrong size', async () => {
    const fake = await start({ embeddingScript: [{}, { dimensions: 3 }] });
    const model = create(fake);
    await model.embed(['first']);
    const error = await failure(model.embed(['second']));
    expect(error.code).toBe('embedding.dimension_mismatch');
    expect(error.message).toContain('expected vectors of 16 dimensions, got 3');
    expect(model.id).toBe('local/fake-embedder@16');
  });

  it('gives up after timeoutMs on a server that never answers', async () => {
    const fake = await start({ embeddingScript: [{ hang: true }] });
    const error = await failure(create(fake, { timeoutMs: 50 }).embed(['hello']));
    expect(error.code).toBe('embedding.timeout');
    expect(error.message).toContain('50 ms');
  });

  it('reports an unreachable server as embedding.unreachable', async () => {
    const fake = await start();
    const baseUrl = fake.baseUrl;
    await fake.close();
    const error = await failure(create(fake, { baseUrl }).embed(['hello']));
    expect(error.code).toBe('embedding.unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(baseUrl);
  });
});

describe('createProviderEmbeddingModel without a key', () => {
  it('talks to an openai-compatible server without a key', async () => {
    const fake = await start();
    const model = createProviderEmbeddingModel({
      provider: 'openai-compatible',
      name: 'ollama',
      model: 'nomic-embed-text',
      baseUrl: fake.baseUrl,
    });
    await model.embed(['hello']);
    expect(fake.requests[0]?.headers['authorization']).toBeUndefined();
    expect(model.id).toBe('ollama/nomic-embed-text@16');
  });
});
