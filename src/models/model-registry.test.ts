import { describe, expect, it } from 'vitest';
import { createModelCatalog } from './catalog.js';
import { createModelRegistry, defaultModelId } from './model-registry.js';
import { providerFactories } from './providers/index.js';

const catalog = createModelCatalog();
const openai = await providerFactories.openai({
  name: 'openai',
  type: 'openai',
  apiKey: 'sk-test',
  origin: 'env',
});
const ollama = await providerFactories['openai-compatible']({
  name: 'ollama',
  type: 'openai-compatible',
  baseUrl: 'http://127.0.0.1:11434/v1',
  origin: 'detected',
});
const simulated = await providerFactories.simulated({
  name: 'simulated',
  type: 'simulated',
  origin: 'fallback',
});

describe('model registry', () => {
  const registry = createModelRegistry({ providers: [openai, ollama, simulated], catalog });

  it('resolves provider/model ids to the provider model and its catalog entry', () => {
    const { model, info } = registry.resolve('openai/gpt-4o-mini');
    expect(model.modelId).toBe('gpt-4o-mini');
    expect(model.provider).toBe('openai.chat');
    expect(info).toMatchObject({ id: 'openai/gpt-4o-mini', known: true, inputPerMTok: 0.15 });
  });

  it('resolves models the catalog does not know as unknown, free entries', () => {
    const { model, info } = registry.resolve('ollama/llama3.2:3b');
    expect(model.modelId).toBe('llama3.2:3b');
    expect(info).toMatchObject({ provider: 'ollama', model: 'llama3.2:3b', known: false, inputPerMTok: 0 });
  });

  it('returns the same model for the same id', () => {
    expect(registry.resolve('simulated/dry-run').model).toBe(registry.resolve('simulated/dry-run').model);
  });

  it('rejects an unconfigured provider, listing the configured ones', () => {
    expect(() => registry.resolve('anthropic/claude-haiku-4-5')).toThrow(
      expect.objectContaining({
        code: 'model.unknown_provider',
        category: 'invalid',
        message: expect.stringContaining('configured providers: openai, ollama, simulated'),
      }),
    );
  });

  it('rejects a malformed id', () => {
    expect(() => registry.resolve('gpt-4o')).toThrow(expect.objectContaining({ code: 'model.invalid_id' }));
    expect(() => registry.resolve('openai/')).toThrow(expect.objectContaining({ code: 'model.invalid_id' }));
  });

  it('prices a provider configured under another name by its type', async () => {
    const work = await providerFactories.openai({
      name: 'work',
      type: 'openai',
      apiKey: 'sk-test',
      origin: 'config',
    });
    const { info } = createModelRegistry({ providers: [work], catalog }).resolve('work/gpt-4o');
    expect(info).toMatchObject({
      id: 'work/gpt-4o',
      provider: 'work',
      model: 'gpt-4o',
      known: true,
      inputPerMTok: 2.5,
    });
  });

  it('marks every model of a simulated-type provider as simulated', async () => {
    const dry = await providerFactories.simulated({ name: 'dry', type: 'simulated', origin: 'config' });
    const dryRegistry = createModelRegistry({ providers: [dry], catalog });
    expect(dryRegistry.resolve('dry/dry-run').info).toMatchObject({
      id: 'dry/dry-run',
      simulated: true,
      known: true,
    });
    expect(dryRegistry.resolve('dry/anything').info).toMatchObject({
      provider: 'dry',
      simulated: true,
      known: false,
    });
  });
});

describe('defaultModelId', () => {
  const p = (name: string, type: string) => ({ name, type });

  it('uses the configured default', () => {
    expect(
      defaultModelId({ configured: 'anthropic/claude-opus-4-1', providers: [p('openai', 'openai')] }),
    ).toBe('anthropic/claude-opus-4-1');
  });

  it('rejects a malformed configured default', () => {
    expect(() => defaultModelId({ configured: 'gpt-4o', providers: [] })).toThrow(
      expect.objectContaining({ code: 'model.invalid_id' }),
    );
  });

  it('picks a cheap model of the first provider by type', () => {
    const pick = (name: string, type: string) =>
      defaultModelId({ configured: undefined, providers: [p(name, type), p('x', 'openai')] });
    expect(pick('openai', 'openai')).toBe('openai/gpt-4o-mini');
    expect(pick('anthropic', 'anthropic')).toBe('anthropic/claude-haiku-4-5');
    expect(pick('google', 'google')).toBe('google/gemini-2.5-flash');
    expect(pick('simulated', 'simulated')).toBe('simulated/dry-run');
    expect(pick('work', 'openai')).toBe('work/gpt-4o-mini');
  });

  it("prefers the provider's own default model to its type's and to discovered ones", () => {
    expect(
      defaultModelId({
        configured: undefined,
        providers: [{ name: 'groq', type: 'openai-compatible', defaultModel: 'llama-3.3-70b-versatile' }],
        discoveredModels: { groq: ['other'] },
      }),
    ).toBe('groq/llama-3.3-70b-versatile');
    expect(
      defaultModelId({
        configured: undefined,
        providers: [{ name: 'openrouter', type: 'openai-compatible', defaultModel: 'openai/gpt-4o-mini' }],
      }),
    ).toBe('openrouter/openai/gpt-4o-mini');
  });

  it("picks an openai-compatible provider's first discovered model", () => {
    expect(
      defaultModelId({
        configured: undefined,
        providers: [p('ollama', 'openai-compatible')],
        discoveredModels: { ollama: ['qwen2.5:7b', 'llama3.2'] },
      }),
    ).toBe('ollama/qwen2.5:7b');
  });

  it('asks for models.default when an openai-compatible provider has no discovered model', () => {
    expect(() =>
      defaultModelId({ configured: undefined, providers: [p('groq', 'openai-compatible')] }),
    ).toThrow(
      expect.objectContaining({
        code: 'model.no_default',
        message: expect.stringContaining('models.default'),
      }),
    );
    expect(() => defaultModelId({ configured: undefined, providers: [] })).toThrow(
      expect.objectContaining({ code: 'model.no_default' }),
    );
  });
});
