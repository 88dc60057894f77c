import type { ModelProvider } from '../language-model.js';
import type { ResolvedProviderConfig } from '../models-config.js';

/** The provider implementation types agentd ships. */
export type ProviderType = ResolvedProviderConfig['type'];

/**
 * One factory per provider type; the composition root picks by `config.type`. Each loads its SDK
 * on first use, so a process pays only for the providers it has configured (start-up time).
 */
export const providerFactories: Record<
  ProviderType,
  (config: ResolvedProviderConfig) => Promise<ModelProvider>
> = {
  openai: async (c) => (await import('./openai/openai-provider.js')).createOpenAIProvider(c),
  anthropic: async (c) => (await import('./anthropic/anthropic-provider.js')).createAnthropicProvider(c),
  google: async (c) => (await import('./google/google-provider.js')).createGoogleProvider(c),
  'openai-compatible': async (c) =>
    (await import('./openai-compatible/openai-compatible-provider.js')).createOpenAICompatibleProvider(c),
  simulated: async (c) => (await import('./simulated/simulated-provider.js')).createSimulatedProvider(c),
};
