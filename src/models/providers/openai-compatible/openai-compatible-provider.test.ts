import { describe, expect, it } from 'vitest';
import { createOpenAICompatibleProvider } from './openai-compatible-provider.js';

describe('createOpenAICompatibleProvider', () => {
  it('creates chat models under the configured provider name', () => {
    const provider = createOpenAICompatibleProvider({
      name: 'ollama',
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:11434/v1',
      origin: 'detected',
    });
    const model = provider.languageModel('llama3.2');
    expect(provider.name).toBe('ollama');
    expect(model.provider).toBe('ollama.chat');
    expect(model.modelId).toBe('llama3.2');
  });

  it('requires a baseUrl, naming the config path', () => {
    expect(() =>
      createOpenAICompatibleProvider({ name: 'local', type: 'openai-compatible', origin: 'config' }),
    ).toThrow(
      expect.objectContaining({
        code: 'config.invalid',
        path: 'providers.local.baseUrl',
        message: expect.stringContaining('base URL'),
      }),
    );
  });
});
