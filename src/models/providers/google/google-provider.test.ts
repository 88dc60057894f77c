import { describe, expect, it } from 'vitest';
import { createGoogleProvider } from './google-provider.js';

describe('createGoogleProvider', () => {
  it('creates Gemini models named after the requested model', () => {
    const provider = createGoogleProvider({
      name: 'google',
      type: 'google',
      apiKey: 'test-key',
      origin: 'env',
    });
    const model = provider.languageModel('gemini-2.5-flash');
    expect(provider.type).toBe('google');
    expect(model.provider).toBe('google.generative-ai');
    expect(model.modelId).toBe('gemini-2.5-flash');
  });

  it('rejects the hosted API without a key', () => {
    expect(() => createGoogleProvider({ name: 'google', type: 'google', origin: 'config' })).toThrow(
      expect.objectContaining({ code: 'config.invalid', path: 'providers.google.apiKey' }),
    );
  });
});
