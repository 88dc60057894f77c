import { createOpenAI } from '@ai-sdk/openai';
import type { ModelProvider } from '../../language-model.js';
import type { ResolvedProviderConfig } from '../../models-config.js';
import { providerApiKey } from '../provider-api-key.js';

// Passed explicitly so the AI SDK does not fall back to reading OPENAI_BASE_URL itself.
const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** An OpenAI provider. Uses the chat-completions API, so a baseUrl at any OpenAI-compatible server works. */
export function createOpenAIProvider(config: ResolvedProviderConfig): ModelProvider {
  const openai = createOpenAI({
    baseURL: config.baseUrl ?? OPENAI_BASE_URL,
    apiKey: providerApiKey(config, 'OPENAI_API_KEY'),
    ...(config.headers ? { headers: config.headers } : {}),
  });
  return {
    name: config.name,
    type: config.type,
    // The chat-completions API rather than the SDK's default Responses API: it is the protocol
    // OpenAI-compatible servers (Ollama, vLLM, LM Studio, proxies) actually speak.
    languageModel: (model) => openai.chat(model),
  };
}
