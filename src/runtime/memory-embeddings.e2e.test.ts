import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer } from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

// Provider embeddings over the real OpenAI embeddings protocol (a fake server on 127.0.0.1), and
// `reembed` moving a store made with the offline model onto them.
describe('memory with provider embeddings', () => {
  let dir: string;
  let server: FakeOpenAIServer | undefined;
  const open: Runtime[] = [];
  afterEach(async () => {
    for (const runtime of open.splice(0)) await runtime.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(embeddings: string[], logger?: Logger): Promise<Runtime> {
    const config = loadConfig({
      env: { AGENTD_HOME: dir, LOCAL_KEY: 'sk-embed-test-key' },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            'providers:',
            '  local:',
            '    type: openai-compatible',
            `    baseUrl: ${server?.baseUrl ?? 'http://127.0.0.1:9/v1'}`,
            '    apiKey: env:LOCAL_KEY',
            'models:',
            '  default: local/small',
            'memory:',
            ...embeddings,
          ].join('\n'),
        },
      ],
      cwd: dir,
      userHome: dir,
    });
    const runtime = await createRuntime({
      loadedConfig: config,
      detectLocalServer: false,
      maxRetries: 0,
      ...(logger ? { logger } : {}),
    });
    open.push(runtime);
    return runtime;
  }

  it('re-embeds every memory made by another model, then searches with the provider’s vectors', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-embed-'));
    const offline = await start(['  embeddings: use-lite']);
    for (const content of [
      'The backup job runs every night at two.',
      'Sofia leads the mobile team.',
      'Our office plants need water on Mondays.',
    ]) {
      await offline.memory.add({ content });
    }
    expect((await offline.memory.stats()).embeddingModels).toEqual({ 'use-lite/en-512': 3 });
    await (open.pop() as Runtime).close();

    server = await startFakeOpenAIServer({ embeddingDimensions: 32 });
    const provider = await start(['  embeddings:', '    provider: local', '    model: fake-embed']);
    const progress: number[] = [];
    const result = await provider.memory.reembed({ onProgress: (done) => progress.push(done) });
    expect(result).toEqual({ model: 'local/fake-embed@32', reembedded: 3, current: 0 });
    expect(progress).toEqual([3]);
    expect((await provider.memory.stats()).embeddingModels).toEqual({ 'local/fake-embed@32': 3 });
    // Run again: nothing left to do.
    expect(await provider.memory.reembed()).toMatchObject({ reembedded: 0, current: 3 });

    const embeddingRequests = server.requests.filter((r) => r.path.endsWith('/embeddings'));
    expect(embeddingRequests.length).toBeGreaterThan(0);
    expect(embeddingRequests[0]?.headers['authorization']).toBe('Bearer sk-embed-test-key');

    const hits = await provider.memory.search({
      text: 'who leads the mobile team',
      mode: 'vector',
      limit: 1,
    });
    expect(hits[0]?.memory.content).toBe('Sofia leads the mobile team.');
    expect((await provider.audit.list({ action: 'memory.reembed' })).map((e) => e.details)).toEqual([
      { reembedded: 0, current: 3 },
      { reembedded: 3, current: 0 },
    ]);
  }, 60_000);

  it('keeps a task’s answer and its memories when the embedder fails: recall is skipped, vectors wait', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-embed-'));
    // The first embedding (a memory added by hand) works; every one after it fails.
    server = await startFakeOpenAIServer({
      embeddingDimensions: 16,
      embeddingScript: (_request, index) =>
        index === 0 ? {} : { status: 500, errorMessage: 'embedder down' },
      script: [{ text: 'The answer is 42.' }],
    });
    const warnings: string[] = [];
    const runtime = await start(['  embeddings:', '    provider: local', '    model: fake-embed'], {
      ...silentLogger,
      warn: (message) => void warnings.push(message),
    });
    await runtime.memory.add({ content: 'The answer to everything is a number.' });
    const task = await runtime.tasks.run({ prompt: 'What is the answer to everything?' });
    expect(task).toMatchObject({ status: 'succeeded', output: 'The answer is 42.' });
    await runtime.memory.settled();
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^memory: task ${task.id}'s recall failed \\(embedding.failed\\)`)),
      expect.stringMatching(/^memory: the embedder failed \(embedding.failed\): .*found by their words/),
    ]);
    // The episode is written without its vector, and found by its words meanwhile.
    const stats = await runtime.memory.stats();
    expect(stats.layers.episodic).toBe(1);
    expect(stats.embeddingModels['none']).toBeGreaterThanOrEqual(2);
    const found = await runtime.memory.search({ text: 'answer everything', mode: 'text', limit: 5 });
    expect(found.map((hit) => hit.memory.taskId)).toContain(task.id);
  }, 60_000);

  it('refuses to start with an embeddings provider that is not configured, naming the key', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-embed-'));
    await expect(start(['  embeddings:', '    provider: nowhere', '    model: x'])).rejects.toMatchObject({
      code: 'config.invalid',
      message: expect.stringContaining("memory.embeddings.provider: no provider named 'nowhere'"),
    });
  });
});
