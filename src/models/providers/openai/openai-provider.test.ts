import { describe, expect, it } from 'vitest';
import { AgentdError } from '../../../core/errors.js';
import { createOpenAIProvider } from './openai-provider.js';

describe('createOpenAIProvider', () => {
  it('creates chat-completions models named after the requested model', () => {
    const provider = createOpenAIProvider({
      name: 'openai',
      type: 'openai',
      apiKey: 'sk-test',
      origin: 'env',
    });
    const model = provider.languageModel('gpt-4o-mini');
    expect(provider.name).toBe('openai');
    expect(provider.type).toBe('openai');
    expect(model.provider).toBe('openai.chat');
    expect(model.modelId).toBe('gpt-4o-mini');
  });

  it('rejects the hosted API without a key, naming the config path', () => {
    const create = () => createOpenAIProvider({ name: 'openai', type: 'openai', origin: 'config' });
    expect(create).toThrow(AgentdError);
    expect(create).toThrow(
      expect.objectContaining({ code: 'config.invalid', path: 'providers.openai.apiKey' }),
    );
  });

  it('accepts a custom baseUrl without a key (a local server)', () => {
    const provider = createOpenAIProvider({
      name: 'openai',
      type: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      origin: 'config',
    });
    expect(provider.languageModel('llama3.2').modelId).toBe('llama3.2');
  });
});
