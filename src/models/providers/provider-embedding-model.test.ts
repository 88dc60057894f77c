import { describe, expect, it } from 'vitest';
import { AgentdError } from '../../core/errors.js';
import { createProviderEmbeddingModel } from './provider-embedding-model.js';

// What is decided before any request; everything said to a server (the fake OpenAI one) is in
// provider-embedding-model.e2e.test.ts.
describe.each(['openai', 'openai-compatible'] as const)('createProviderEmbeddingModel (%s)', (provider) => {
  it('refuses invalid numeric options', () => {
    for (const options of [{ batchSize: 0 }, { dimensions: 1.5 }, { maxRetries: -1 }, { timeoutMs: 0 }]) {
      expect(() =>
        createProviderEmbeddingModel({ provider, model: 'm', baseUrl: 'http://127.0.0.1:1/v1', ...options }),
      ).toThrow(expect.objectContaining({ code: 'embedding.invalid_options' }));
    }
  });
});

describe('createProviderEmbeddingModel configuration', () => {
  it('names the id after the provider type when no name is given', () => {
    const model = createProviderEmbeddingModel({
      provider: 'openai',
      model: 'text-embedding-3-small',
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: 'sk-embed-secret-0123456789',
      dimensions: 8,
    });
    expect(model.id).toBe('openai/text-embedding-3-small@8');
  });

  it('needs an API key for the hosted OpenAI API', () => {
    const create = () =>
      createProviderEmbeddingModel({ provider: 'openai', model: 'text-embedding-3-small' });
    expect(create).toThrow(AgentdError);
    expect(create).toThrow(
      expect.objectContaining({ code: 'config.invalid', path: 'providers.openai.apiKey' }),
    );
  });

  it('needs a base URL for an openai-compatible server', () => {
    const create = () =>
      createProviderEmbeddingModel({
        provider: 'openai-compatible',
        name: 'ollama',
        model: 'nomic-embed-text',
      });
    expect(create).toThrow(
      expect.objectContaining({ code: 'config.invalid', path: 'providers.ollama.baseUrl' }),
    );
  });
});
