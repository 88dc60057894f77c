import { describe, expect, it } from 'vitest';
import { ProviderTypeSchema } from '../models-config.js';
import { providerFactories } from './index.js';

describe('providerFactories', () => {
  it('has a factory for every provider type, producing a provider of that type', async () => {
    for (const type of ProviderTypeSchema.options) {
      const provider = await providerFactories[type]({
        name: `my-${type}`,
        type,
        apiKey: 'test-key',
        baseUrl: 'http://127.0.0.1:9/v1',
        origin: 'config',
      });
      expect(provider.name).toBe(`my-${type}`);
      expect(provider.type).toBe(type);
      expect(provider.languageModel('some-model').modelId).toBe('some-model');
    }
  });
});
