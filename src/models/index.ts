export type { LanguageModel, ModelCapabilities, ModelInfo, ModelProvider } from './language-model.js';
export { priceUsage } from './language-model.js';
export type { CatalogEntryConfig, ModelsConfig, ResolvedProviderConfig } from './models-config.js';
export { estimateTokens, observeModelCalls } from './observe-model-calls.js';
export type { ModelCallObserver, ModelCallOutcome } from './observe-model-calls.js';
