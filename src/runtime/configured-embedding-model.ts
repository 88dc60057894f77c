import type { AgentdConfig } from '../config/index.js';
import { AgentdError } from '../core/errors.js';
import '../config/config-error-codes.js';
import type { EmbeddingModel } from '../models/index.js';

/**
 * The embedding model `memory.embeddings` names: the offline one, a provider's, or none. Its module
 * is imported only when it is configured: the provider one pulls in the AI SDK and provider SDKs,
 * which cost a few hundred ms at start for every command that never embeds.
 */
export async function configuredEmbeddingModel(
  config: AgentdConfig,
  /** Retries of a provider's embedding request (the provider model's default when absent). */
  maxRetries?: number,
): Promise<EmbeddingModel | undefined> {
  const chosen = config.memory.embeddings;
  if (chosen === 'none') return undefined;
  if (chosen === 'use-lite') {
    const { createUseLiteEmbeddingModel } =
      await import('../models/providers/use-lite/use-lite-embedding-model.js');
    return createUseLiteEmbeddingModel();
  }
  const provider = config.providers.find((p) => p.name === chosen.provider);
  if (!provider || (provider.type !== 'openai' && provider.type !== 'openai-compatible')) {
    throw new AgentdError({
      code: 'config.invalid',
      message: provider
        ? `memory.embeddings.provider: provider '${chosen.provider}' is of type ${provider.type}; embeddings need an openai or openai-compatible provider`
        : `memory.embeddings.provider: no provider named '${chosen.provider}' is configured (providers: ${config.providers.map((p) => p.name).join(', ') || 'none'})`,
    });
  }
  const { createProviderEmbeddingModel } = await import('../models/providers/provider-embedding-model.js');
  return createProviderEmbeddingModel({
    provider: provider.type,
    name: provider.name,
    model: chosen.model,
    ...(provider.baseUrl ? { baseUrl: provider.baseUrl } : {}),
    ...(provider.apiKey ? { apiKey: provider.apiKey } : {}),
    ...(provider.headers ? { headers: provider.headers } : {}),
    ...(chosen.dimensions ? { dimensions: chosen.dimensions } : {}),
    ...(maxRetries !== undefined ? { maxRetries } : {}),
  });
}
