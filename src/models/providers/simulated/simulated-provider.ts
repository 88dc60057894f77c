import type { ModelProvider } from '../../language-model.js';
import type { ResolvedProviderConfig } from '../../models-config.js';
import { createSimulatedLanguageModel } from './simulated-language-model.js';

/** The simulated provider: every model name gives the deterministic, labelled dry-run model. */
export function createSimulatedProvider(config: ResolvedProviderConfig): ModelProvider {
  return {
    name: config.name,
    type: config.type,
    languageModel: (model) => createSimulatedLanguageModel({ modelId: model, provider: config.name }),
  };
}
