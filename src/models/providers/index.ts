import type { ModelProvider } from '../language-model.js';
import type { ResolvedProviderConfig } from '../models-config.js';
import { createAnthropicProvider } from './anthropic/anthropic-provider.js';
import { createGoogleProvider } from './google/google-provider.js';
import { createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import { createOpenAIProvider } from './openai/openai-provider.js';
import { createSimulatedProvider } from './simulated/simulated-provider.js';

/** The provider implementation types agentd ships. */
export type ProviderType = ResolvedProviderConfig['type'];

/** One factory per provider type; the composition root picks by `config.type`. */
export const providerFactories: Record<ProviderType, (config: ResolvedProviderConfig) => ModelProvider> = {
  openai: createOpenAIProvider,
  anthropic: createAnthropicProvider,
  google: createGoogleProvider,
  'openai-compatible': createOpenAICompatibleProvider,
  simulated: createSimulatedProvider,
};

export { createAnthropicProvider } from './anthropic/anthropic-provider.js';
export { createGoogleProvider } from './google/google-provider.js';
export { createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
export { createOpenAIProvider } from './openai/openai-provider.js';
export { createSimulatedProvider } from './simulated/simulated-provider.js';
export { createSimulatedLanguageModel } from './simulated/simulated-language-model.js';
export type { SimulatedLanguageModelOptions } from './simulated/simulated-language-model.js';
