import { describe, expect, it } from 'vitest';
import { KNOWN_PROVIDERS } from '../config/known-providers.js';
import { AgentdError } from '../core/errors.js';
import data from './catalog.json' with { type: 'json' };
import { createModelCatalog, parseCatalogData, UNKNOWN_MODEL_DEFAULTS } from './catalog.js';

describe('model catalog', () => {
  it('ships the well-known models with prices, context windows and capabilities', () => {
    const catalog = createModelCatalog();
    const ids = catalog.list().map((m) => m.id);
    for (const id of [
      'openai/gpt-4o',
      'openai/gpt-4o-mini',
      'openai/gpt-4.1',
      'openai/gpt-4.1-mini',
      'openai/gpt-4.1-nano',
      'openai/o4-mini',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-haiku-4-5',
      'anthropic/claude-opus-4-1',
      'google/gemini-2.5-pro',
      'google/gemini-2.5-flash',
      'google/gemini-2.0-flash',
      'openai/gpt-5',
      'openai/gpt-5-mini',
      'openai/o3',
      'anthropic/claude-sonnet-4-0',
      'google/gemini-2.5-flash-lite',
      'simulated/dry-run',
    ]) {
      expect(ids).toContain(id);
    }
    expect(catalog.get('openai/gpt-4o-mini')).toEqual({
      id: 'openai/gpt-4o-mini',
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
      contextWindow: 128_000,
      capabilities: { tools: true, json: true, vision: true },
      quality: {
        default: 0.68,
        code: 0.64,
        math: 0.58,
        reasoning: 0.6,
        extraction: 0.76,
        summarisation: 0.75,
        chat: 0.76,
      },
      known: true,
      simulated: false,
    });
  });

  it('gives every shipped model a default quality prior within 0–1', () => {
    for (const info of createModelCatalog().list()) {
      expect(info.quality?.['default'], info.id).toBeGreaterThan(0);
      for (const value of Object.values(info.quality ?? {})) expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('merges configured quality priors over the shipped ones, kind by kind', () => {
    const catalog = createModelCatalog({
      overrides: [{ id: 'openai/gpt-4o-mini', quality: { code: 0.9, legal: 0.5 } }],
    });
    expect(catalog.get('openai/gpt-4o-mini')?.quality).toMatchObject({
      default: 0.68,
      code: 0.9,
      legal: 0.5,
    });
  });

  it('knows the default model of every provider detected from an environment key, so it is priced', () => {
    const catalog = createModelCatalog();
    const defaults = KNOWN_PROVIDERS.filter((p) => p.defaultModel).map((p) => `${p.name}/${p.defaultModel}`);
    expect(defaults).toHaveLength(5);
    for (const id of defaults) {
      expect(catalog.get(id), id).toMatchObject({ known: true, capabilities: { tools: true, json: true } });
      expect(catalog.get(id)?.inputPerMTok, id).toBeGreaterThan(0);
    }
    expect(catalog.get('groq/llama-3.3-70b-versatile')).toMatchObject({
      inputPerMTok: 0.59,
      outputPerMTok: 0.79,
    });
  });

  it('marks the simulated model as simulated and free', () => {
    const dryRun = createModelCatalog().get('simulated/dry-run');
    expect(dryRun).toMatchObject({ simulated: true, known: true, inputPerMTok: 0, outputPerMTok: 0 });
  });

  it('merges config overrides over shipped entries field by field', () => {
    const catalog = createModelCatalog({
      overrides: [{ id: 'openai/gpt-4o', inputPerMTok: 2, capabilities: { vision: false } }],
    });
    expect(catalog.get('openai/gpt-4o')).toMatchObject({
      inputPerMTok: 2,
      outputPerMTok: 10,
      contextWindow: 128_000,
      capabilities: { tools: true, json: true, vision: false },
      known: true,
    });
  });

  it('adds ids named only in config, filling unset fields with the unknown-model defaults', () => {
    const catalog = createModelCatalog({ overrides: [{ id: 'ollama/llama3.2', contextWindow: 131_072 }] });
    expect(catalog.get('ollama/llama3.2')).toEqual({
      id: 'ollama/llama3.2',
      provider: 'ollama',
      model: 'llama3.2',
      inputPerMTok: 0,
      outputPerMTok: 0,
      contextWindow: 131_072,
      capabilities: UNKNOWN_MODEL_DEFAULTS.capabilities,
      known: true,
      simulated: false,
    });
    expect(catalog.list().at(-1)?.id).toBe('ollama/llama3.2');
  });

  it('describes an unknown id as unknown and free, with tools and JSON but not vision', () => {
    const catalog = createModelCatalog();
    expect(catalog.get('ollama/qwen2.5:7b')).toBeUndefined();
    expect(catalog.describe('ollama/qwen2.5:7b')).toEqual({
      id: 'ollama/qwen2.5:7b',
      provider: 'ollama',
      model: 'qwen2.5:7b',
      inputPerMTok: 0,
      outputPerMTok: 0,
      contextWindow: 8192,
      capabilities: { tools: true, json: true, vision: false },
      known: false,
      simulated: false,
    });
    expect(catalog.describe('simulated/other')).toMatchObject({ known: false, simulated: true });
  });

  it('rejects a malformed id in describe', () => {
    expect(() => createModelCatalog().describe('gpt-4o')).toThrow(
      expect.objectContaining({ code: 'model.invalid_id' }),
    );
  });

  it('returns entries that callers cannot mutate', () => {
    const catalog = createModelCatalog();
    const entry = catalog.get('openai/gpt-4o');
    expect(Object.isFrozen(entry)).toBe(true);
    expect(Object.isFrozen(entry?.capabilities)).toBe(true);
  });

  it('validates catalog data, the shipped catalog.json (not validated at start) included', () => {
    expect(parseCatalogData(data)).toEqual(data);
    const entry = {
      id: 'x/y',
      inputPerMTok: 1,
      outputPerMTok: 1,
      contextWindow: 10,
      capabilities: { tools: true, json: true, vision: true },
    };
    expect(() => parseCatalogData([{ ...entry, inputPerMTok: -1 }])).toThrow(AgentdError);
    expect(() => parseCatalogData([{ ...entry, id: 'no-slash' }])).toThrow(/0\.id/);
    expect(() => parseCatalogData([entry, entry])).toThrow(/duplicate id x\/y/);
    expect(() => parseCatalogData([{ ...entry, extra: 1 }])).toThrow(
      expect.objectContaining({ code: 'catalog.invalid' }),
    );
  });
});
