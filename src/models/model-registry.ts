import { AgentdError } from '../core/errors.js';
import './model-error-codes.js';
import type { ModelCatalog } from './catalog.js';
import type { LanguageModel, ModelInfo, ModelProvider } from './language-model.js';
import { parseModelId } from './model-id.js';

/** A model ready to call, with what the catalog knows of it. */
export interface ResolvedModel {
  model: LanguageModel;
  info: ModelInfo;
  /** Whether its provider is local (see ModelProvider.local). */
  local: boolean;
}

/** Turns `provider/model` ids into callable models of the configured providers. */
export interface ModelRegistry {
  /** The configured providers, in configuration order. */
  readonly providers: readonly ModelProvider[];
  /**
   * The model for `provider/model` (`provider` is a configured provider name). Throws AgentdError
   * `model.invalid_id` for a malformed id and `model.unknown_provider` for an unconfigured provider.
   */
  resolve(id: string): ResolvedModel;
  /** Replaces the catalog (prices, windows, priors changed on disk); later resolves see it. */
  updateCatalog(catalog: ModelCatalog): void;
}

/** Options of {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  providers: readonly ModelProvider[];
  catalog: ModelCatalog;
}

/** The model registry over the configured providers and the catalog. */
export function createModelRegistry(options: ModelRegistryOptions): ModelRegistry {
  let { catalog } = options;
  const byName = new Map(options.providers.map((p) => [p.name, p] as const));
  // Provider models are stateless clients; one per id keeps identity stable for callers.
  const resolved = new Map<string, ResolvedModel>();

  function infoFor(id: string, provider: ModelProvider, model: string): ModelInfo {
    // A provider configured under another name (`work-openai`, type openai) still has catalog
    // prices when its type's entry exists (`openai/<model>`).
    const byType = provider.type === provider.name ? undefined : catalog.get(`${provider.type}/${model}`);
    const info =
      catalog.get(id) ??
      (byType ? { ...byType, id, provider: provider.name } : undefined) ??
      catalog.describe(id);
    // The provider type, not the name, decides whether calls are dry runs.
    if (provider.type === 'simulated' && !info.simulated) {
      const simulated = catalog.describe(`simulated/${model}`);
      return { ...simulated, id, provider: provider.name, known: info.known };
    }
    return info;
  }

  return {
    providers: options.providers,
    updateCatalog(next) {
      catalog = next;
      resolved.clear();
    },
    resolve(id) {
      const cached = resolved.get(id);
      if (cached) return cached;
      const { provider: providerName, model } = parseModelId(id);
      const provider = byName.get(providerName);
      if (!provider) {
        const configured = [...byName.keys()];
        throw new AgentdError({
          code: 'model.unknown_provider',
          message:
            `model '${id}': no provider named '${providerName}' is configured; ` +
            (configured.length > 0
              ? `configured providers: ${configured.join(', ')}`
              : 'no providers are configured'),
          details: { provider: providerName, configured },
        });
      }
      const entry: ResolvedModel = {
        model: provider.languageModel(model),
        info: infoFor(id, provider, model),
        local: provider.local === true,
      };
      resolved.set(id, entry);
      return entry;
    },
  };
}

/** The model each provider type uses when `models.default` is not set. */
const DEFAULT_MODEL_BY_TYPE: Readonly<Record<string, string>> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku-4-5',
  google: 'gemini-2.5-flash',
  simulated: 'dry-run',
};

/** Options of {@link defaultModelId}. */
export interface DefaultModelIdOptions {
  /** `models.default` (or `AGENTD_MODEL`), when set. */
  configured: string | undefined;
  /**
   * The configured providers, in configuration order; the first one decides. `defaultModel` is the
   * provider's own default (see ResolvedProviderConfig), preferred to its type's.
   */
  providers: readonly (Pick<ModelProvider, 'name' | 'type'> & { defaultModel?: string | undefined })[];
  /** Model names found on OpenAI-compatible servers (see detectLocalServer), by provider name. */
  discoveredModels?: Readonly<Record<string, readonly string[]>>;
}

/**
 * The default model id: the configured one, else a cheap capable model of the first provider (its
 * own default, else its type's, else an openai-compatible provider's first discovered model).
 * Throws AgentdError `model.no_default` when there is no sensible choice, and `model.invalid_id`
 * for a malformed configured id.
 */
export function defaultModelId(options: DefaultModelIdOptions): string {
  if (options.configured !== undefined) {
    parseModelId(options.configured);
    return options.configured;
  }
  const first = options.providers[0];
  if (!first) {
    throw new AgentdError({
      code: 'model.no_default',
      message: 'no model provider is configured; configure one under providers, or set models.default',
    });
  }
  const model =
    first.defaultModel ?? DEFAULT_MODEL_BY_TYPE[first.type] ?? options.discoveredModels?.[first.name]?.[0];
  if (model === undefined) {
    throw new AgentdError({
      code: 'model.no_default',
      path: 'models.default',
      message:
        `no default model for provider '${first.name}' (${first.type}): agentd found no model it serves; ` +
        `set models.default (or AGENTD_MODEL), e.g. ${first.name}/llama3.2`,
    });
  }
  return `${first.name}/${model}`;
}
