import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { AgentdError } from '../../../core/errors.js';
import '../../../config/config-error-codes.js';
import type { ModelProvider } from '../../language-model.js';
import type { ResolvedProviderConfig } from '../../models-config.js';

/** A provider for any server speaking the OpenAI chat-completions protocol (Ollama, vLLM, Groq, …). */
export function createOpenAICompatibleProvider(config: ResolvedProviderConfig): ModelProvider {
  if (!config.baseUrl) {
    throw new AgentdError({
      code: 'config.invalid',
      path: `providers.${config.name}.baseUrl`,
      message: `providers.${config.name}.baseUrl: an openai-compatible provider needs the server's base URL, e.g. http://127.0.0.1:11434/v1`,
    });
  }
  const provider = createOpenAICompatible({
    name: config.name,
    baseURL: config.baseUrl,
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
    ...(config.headers ? { headers: config.headers } : {}),
    // Without it streamed responses carry no usage, and every streamed call would be estimated.
    includeUsage: true,
  });
  return { name: config.name, type: config.type, languageModel: (model) => provider.chatModel(model) };
}
