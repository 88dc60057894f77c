export type { EmbeddingModel } from './embedding-model.js';
export type { LanguageModel, ModelCapabilities, ModelInfo, ModelProvider } from './language-model.js';
export { priceUsage } from './language-model.js';
export type { CatalogEntryConfig, ModelsConfig, ResolvedProviderConfig } from './models-config.js';
export { estimateTokens, observeModelCalls } from './observe-model-calls.js';
export type { ModelCallObserver, ModelCallOutcome } from './observe-model-calls.js';
export { createModelCatalog, parseCatalogData, UNKNOWN_MODEL_DEFAULTS } from './catalog.js';
export type { CatalogEntry, ModelCatalog, ModelCatalogOptions } from './catalog.js';
export { createModelRegistry, defaultModelId } from './model-registry.js';
export type {
  DefaultModelIdOptions,
  ModelRegistry,
  ModelRegistryOptions,
  ResolvedModel,
} from './model-registry.js';
export { detectLocalServer } from './detect-local-server.js';
export type { DetectedLocalServer, DetectLocalServerOptions } from './detect-local-server.js';
export { isModelId, parseModelId } from './model-id.js';
export { createModelInventory, NOT_CHAT } from './model-inventory.js';
export type { InventoryProvider, ListedModel, ModelInventory } from './model-inventory.js';
export { checkProviders } from './check-providers.js';
export type { CheckedProvider, CheckLevel, CheckProvidersOptions, ProviderCheck } from './check-providers.js';
