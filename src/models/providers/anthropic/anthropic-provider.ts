import { createAnthropic } from '@ai-sdk/anthropic';
import type { ModelProvider } from '../../language-model.js';
import type { ResolvedProviderConfig } from '../../models-config.js';
import { providerApiKey } from '../provider-api-key.js';

// Passed explicitly so the AI SDK does not fall back to reading ANTHROPIC_BASE_URL itself.
const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';

/** An Anthropic (Messages API) provider. */
export function createAnthropicProvider(config: ResolvedProviderConfig): ModelProvider {
  const anthropic = createAnthropic({
    baseURL: config.baseUrl ?? ANTHROPIC_BASE_URL,
    apiKey: providerApiKey(config, 'ANTHROPIC_API_KEY'),
    ...(config.headers ? { headers: config.headers } : {}),
  });
  return { name: config.name, type: config.type, languageModel: (model) => anthropic.languageModel(model) };
}
