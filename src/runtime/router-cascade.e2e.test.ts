import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { createFakeLanguageModel, createFakeProvider } from '../testing/fake-language-model.js';
import type { FakeLanguageModel } from '../testing/fake-language-model.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

// Two models behind one provider: a cheap one that cannot produce the JSON a manager's plan needs,
// and a dear one that can. The team asks for structured output, so the schema is a cheap check.
describe('cascade routing: cheapest first, escalate when the answer fails its checks', () => {
  let dir: string | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(
    strategy: 'cascade' | 'single',
  ): Promise<{ cheap: FakeLanguageModel; dear: FakeLanguageModel }> {
    dir = mkdtempSync(join(tmpdir(), 'agentd-cascade-'));
    const cheap = createFakeLanguageModel({
      script: ({ options }) =>
        options.responseFormat?.type === 'json'
          ? { text: 'Sure! Here is my plan: do it.' }
          : { text: 'cheap text' },
    });
    const dear = createFakeLanguageModel({
      script: () => ({ text: '{"final": "answer from the dear model"}' }),
    });
    const config = loadConfig({
      env: { AGENTD_HOME: dir },
      files: [],
      cwd: dir,
      userHome: dir,
      overrides: {
        models: {
          default: 'fake/cheap',
          catalog: [
            {
              id: 'fake/cheap',
              inputPerMTok: 0.1,
              outputPerMTok: 0.4,
              contextWindow: 100_000,
              capabilities: { tools: true, json: true },
            },
            {
              id: 'fake/dear',
              inputPerMTok: 5,
              outputPerMTok: 20,
              contextWindow: 100_000,
              capabilities: { tools: true, json: true },
            },
          ],
        },
        router: { unpinned: 'route', strategy, exploration: { share: 0 } },
      },
    });
    runtime = await createRuntime({
      loadedConfig: config,
      providers: [createFakeProvider({ models: { cheap, dear } })],
      detectLocalServer: false,
    });
    return { cheap, dear };
  }

  const team = {
    name: 'planners',
    topology: 'hierarchical' as const,
    options: {},
    agents: [
      { name: 'manager', tools: [] },
      { name: 'worker', tools: [] },
    ],
  };

  it('sends the failed answer’s conversation to the next cheapest model and learns from both checks', async () => {
    const { cheap, dear } = await start('cascade');
    const result = await runtime!.tasks.run({ prompt: 'Plan the release of version 2', team });
    expect(result).toMatchObject({ status: 'succeeded', output: 'answer from the dear model' });
    expect(cheap.calls).toHaveLength(1);
    expect(dear.calls).toHaveLength(1);
    // The dear model saw the same conversation, not the cheap model's rejected answer.
    expect(JSON.stringify(dear.calls[0]?.options.prompt)).not.toContain('Sure! Here is my plan');

    const spans = await runtime!.tasks.spans(result.id);
    const decisions = spans.filter((s) => s.name === 'router.decision');
    expect(decisions.map((d) => d.attributes['agentd.router.chosen'])).toEqual(['fake/cheap', 'fake/dear']);
    expect(String(decisions[1]?.attributes['agentd.router.candidates'])).toContain(
      '"id":"fake/cheap","feasible":false',
    );
    expect(decisions[1]?.attributes['agentd.router.strategy']).toBe('cascade');

    const stats = runtime!.router.stats().stats.filter((s) => s.kind !== '*');
    const kind = stats[0]?.kind;
    expect(stats.find((s) => s.modelId === 'fake/cheap')).toMatchObject({
      kind,
      quality: { observations: 1 },
    });
    expect(stats.find((s) => s.modelId === 'fake/dear')).toMatchObject({
      kind,
      quality: { observations: 1 },
    });
    const [cheapQ, dearQ] = ['fake/cheap', 'fake/dear'].map(
      (id) => stats.find((s) => s.modelId === id)?.quality.mean ?? 0,
    );
    expect(dearQ).toBeGreaterThan(cheapQ ?? 1);
  });

  it('without a cascade, the same model gets one repair turn and the failure counts against it', async () => {
    const { cheap, dear } = await start('single');
    const result = await runtime!.tasks.run({ prompt: 'Plan the release of version 2', team });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('agent.invalid_output');
    expect(cheap.calls).toHaveLength(2);
    expect(dear.calls).toHaveLength(0);
    const cheapStats = runtime!.router
      .stats()
      .stats.find((s) => s.modelId === 'fake/cheap' && s.kind !== '*');
    expect(cheapStats?.quality.observations).toBe(2);
  });

  it('sends a content-filter refusal to router.refusalFallback, and fails clearly without one', async () => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-refusal-'));
    const prude = createFakeLanguageModel({ script: [{ text: '', finishReason: 'content-filter' }] });
    const frank = createFakeLanguageModel({ script: [{ text: 'a frank answer' }] });
    const configure = (refusalFallback?: string) =>
      loadConfig({
        env: { AGENTD_HOME: dir as string },
        files: [],
        cwd: dir as string,
        userHome: dir as string,
        overrides: {
          models: { default: 'fake/prude' },
          router: refusalFallback ? { refusalFallback } : {},
        },
      });
    runtime = await createRuntime({
      loadedConfig: configure('fake/frank'),
      providers: [createFakeProvider({ models: { prude, frank } })],
      detectLocalServer: false,
    });
    const answered = await runtime.tasks.run({ prompt: 'tell me about it' });
    expect(answered).toMatchObject({ status: 'succeeded', output: 'a frank answer' });
    const fallback = (await runtime.tasks.spans(answered.id)).find(
      (s) => s.attributes['agentd.router.fallback_from'] === 'fake/prude',
    );
    expect(fallback?.attributes['agentd.router.error_class']).toBe('content_policy');
    await runtime.close();

    runtime = await createRuntime({
      loadedConfig: configure(),
      providers: [createFakeProvider({ models: { prude, frank } })],
      detectLocalServer: false,
    });
    const refused = await runtime.tasks.run({ prompt: 'tell me about it' });
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatchObject({ code: 'model.refused' });
    expect(refused.error?.message).toMatch(/^fake\/prude: the provider's content filter refused/);
  });
});
