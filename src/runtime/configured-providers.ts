import type { AgentdConfig } from '../config/index.js';
import { AgentdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isLoopbackName } from '../core/loopback.js';
import { detectLocalServer, NOT_CHAT } from '../models/index.js';
import type { InventoryProvider, ModelProvider, ResolvedProviderConfig } from '../models/index.js';
import { providerFactories } from '../models/providers/index.js';
import '../models/model-error-codes.js';
import '../config/config-error-codes.js';

/** A provider the runtime set up, with the config it came from. */
export interface ConfiguredProvider extends InventoryProvider {
  config: ResolvedProviderConfig;
}

/**
 * Builds the configured providers (or, with none, a detected local OpenAI-compatible server), and
 * always the simulated one. A provider that cannot be built (e.g. its key is missing) must not
 * break commands that do not use it: it is listed, and fails clearly when a task asks for one of
 * its models.
 */
export async function configuredProviders(
  config: AgentdConfig,
  options: { extra: readonly ModelProvider[]; detect: boolean | { baseUrls: string[] } },
  logger: Logger,
): Promise<ConfiguredProvider[]> {
  const build = async (c: ResolvedProviderConfig, detectedModels?: string[]): Promise<ConfiguredProvider> => {
    const extra = detectedModels ? { detectedModels } : {};
    if (c.unavailable !== undefined) {
      const missing = new AgentdError({
        code: 'config.secret_missing',
        path: `providers.${c.name}`,
        message: c.unavailable,
      });
      return { config: c, provider: unavailableProvider(c, missing), available: false, ...extra };
    }
    try {
      const instance = await providerFactories[c.type](c);
      return { config: c, provider: { ...instance, local: isLocalProvider(c) }, available: true, ...extra };
    } catch (error) {
      logger.warn(`provider ${c.name} is unavailable`, {
        reason: error instanceof Error ? error.message : String(error),
      });
      return { config: c, provider: unavailableProvider(c, error), available: false, ...extra };
    }
  };
  const list = await Promise.all(config.providers.map((c) => build(c)));
  if (list.length === 0 && options.extra.length === 0 && options.detect !== false) {
    const probe = typeof options.detect === 'object' ? { baseUrls: options.detect.baseUrls } : {};
    const found = await detectLocalServer({ logger, ...probe });
    if (found) {
      // Embedding and reranking models cannot chat; never make one the default.
      found.models.sort((a, b) => Number(NOT_CHAT.test(a)) - Number(NOT_CHAT.test(b)));
      const detected: ResolvedProviderConfig = {
        name: 'ollama',
        type: 'openai-compatible',
        baseUrl: found.baseUrl,
        origin: 'detected',
      };
      list.push(await build(detected, found.models));
      logger.info('detected a local OpenAI-compatible server', {
        baseUrl: found.baseUrl,
        models: found.models.length,
      });
    } else {
      logger.debug('no local OpenAI-compatible server answered');
    }
  }
  if (!list.some((p) => p.config.name === 'simulated')) {
    // Always available for explicit dry runs (`--model simulated/dry-run`), and the fallback.
    list.push(await build({ name: 'simulated', type: 'simulated', origin: 'fallback' }));
  }
  return list;
}

/** Local: configured so, the in-process simulated model, or a server on loopback. */
function isLocalProvider(config: ResolvedProviderConfig): boolean {
  if (config.local !== undefined) return config.local;
  if (config.type === 'simulated') return true;
  return config.baseUrl !== undefined && isLoopbackName(new URL(config.baseUrl).hostname);
}

/** A provider whose construction failed: listed, but every model of it fails with the original error. */
function unavailableProvider(config: ResolvedProviderConfig, error: unknown): ModelProvider {
  return {
    name: config.name,
    type: config.type,
    languageModel() {
      throw error instanceof AgentdError
        ? error
        : new AgentdError({
            code: 'provider.unavailable',
            message: `provider ${config.name}: ${String(error)}`,
          });
    },
  };
}
