import { describe, expect, it } from 'vitest';
import { createAnthropicProvider } from './anthropic-provider.js';

describe('createAnthropicProvider', () => {
  it('creates Messages API models named after the requested model', () => {
    const provider = createAnthropicProvider({
      name: 'anthropic',
      type: 'anthropic',
      apiKey: 'sk-ant-test',
      origin: 'env',
    });
    const model = provider.languageModel('claude-haiku-4-5');
    expect(provider.type).toBe('anthropic');
    expect(model.provider).toBe('anthropic.messages');
    expect(model.modelId).toBe('claude-haiku-4-5');
  });

  it('rejects the hosted API without a key', () => {
    expect(() => createAnthropicProvider({ name: 'anthropic', type: 'anthropic', origin: 'config' })).toThrow(
      expect.objectContaining({ code: 'config.invalid', path: 'providers.anthropic.apiKey' }),
    );
  });
});
