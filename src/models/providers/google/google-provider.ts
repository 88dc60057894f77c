import { createGoogleGenerativeAI } from '@ai-sdk/google';
import type { ModelProvider } from '../../language-model.js';
import type { ResolvedProviderConfig } from '../../models-config.js';
import { providerApiKey } from '../provider-api-key.js';

/** A Google Gemini (Generative Language API) provider. */
export function createGoogleProvider(config: ResolvedProviderConfig): ModelProvider {
  const google = createGoogleGenerativeAI({
    ...(config.baseUrl ? { baseURL: config.baseUrl } : {}),
    apiKey: providerApiKey(config, 'GOOGLE_GENERATIVE_AI_API_KEY'),
    ...(config.headers ? { headers: config.headers } : {}),
  });
  return { name: config.name, type: config.type, languageModel: (model) => google.languageModel(model) };
}
