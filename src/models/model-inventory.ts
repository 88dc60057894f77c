import type { Logger } from '../core/logger.js';
import { createModelCatalog } from './catalog.js';
import type { ModelCatalog } from './catalog.js';
import type { ModelInfo, ModelProvider } from './language-model.js';
import { createModelRegistry } from './model-registry.js';
import type { ModelRegistry, ResolvedModel } from './model-registry.js';
import type { CatalogEntryConfig } from './models-config.js';

/** A provider as the runtime set it up. */
export interface InventoryProvider {
  provider: ModelProvider;
  /** False when it could not be built (e.g. a missing key): listed, never a routing candidate. */
  available: boolean;
  /** Models a local server reported, when it was detected rather than configured. */
  detectedModels?: readonly string[];
}

/** A model as listed to users: catalog data plus whether a configured provider serves it. */
export interface ListedModel extends ModelInfo {
  available: boolean;
  isDefault: boolean;
}

/** The models agentd can use: catalog and providers together, answering the router's and users' questions. */
export interface ModelInventory {
  readonly registry: ModelRegistry;
  /** True when the simulated provider is the only one. */
  readonly onlySimulated: boolean;
  /**
   * The models the router may pick: catalog entries of every available provider (a provider named
   * differently from its type gets its type's entries) and the models local servers reported;
   * never the simulated model when a real provider exists.
   */
  candidates(): ModelInfo[];
  /** Models of local providers that can chat, cheapest first (for hybrid topologies). */
  localModels(): ResolvedModel[];
  /** Every catalog model and every reported one, with availability. */
  list(defaultModel: string): ListedModel[];
  /** Applies a reloaded catalog (prices, new models, priors). */
  updateCatalog(entries: CatalogEntryConfig[] | undefined): void;
}

/** Names of models that embed or rerank rather than chat. */
export const NOT_CHAT = /embed|rerank|bge-|minilm/i;

/** Builds the inventory of `providers` over a catalog with `catalogEntries` as overrides. */
export function createModelInventory(options: {
  providers: readonly InventoryProvider[];
  catalogEntries: CatalogEntryConfig[] | undefined;
  logger: Logger;
}): ModelInventory {
  const { providers, logger } = options;
  let catalog: ModelCatalog = createModelCatalog({ overrides: options.catalogEntries });
  const registry = createModelRegistry({ providers: providers.map((p) => p.provider), catalog });
  const onlySimulated = providers.every((p) => p.provider.type === 'simulated');
  const byName = new Map(providers.map((p) => [p.provider.name, p]));
  // Computed once per catalog: every model call asks for them.
  let candidates: ModelInfo[] | undefined;

  function listCandidates(): ModelInfo[] {
    const list: ModelInfo[] = [];
    for (const { provider, available, detectedModels } of providers) {
      if (!available) continue;
      if (!onlySimulated && provider.type === 'simulated') continue;
      const ids = new Set<string>();
      for (const entry of catalog.list()) {
        if (entry.provider === provider.name) ids.add(entry.id);
        else if (entry.provider === provider.type) ids.add(`${provider.name}/${entry.model}`);
      }
      for (const name of detectedModels ?? []) if (!NOT_CHAT.test(name)) ids.add(`${provider.name}/${name}`);
      for (const id of ids) {
        // A model its provider cannot create (e.g. a bad name in the catalog) is not a candidate.
        try {
          list.push(registry.resolve(id).info);
        } catch (error) {
          logger.debug('router: model skipped', { model: id, reason: String(error) });
        }
      }
    }
    return list;
  }

  /** Catalog models plus the ones local servers reported that the catalog does not know (unpriced). */
  function allModels(chatOnly: boolean): ModelInfo[] {
    const listed = catalog.list();
    for (const { provider, detectedModels } of providers) {
      for (const name of detectedModels ?? []) {
        const id = `${provider.name}/${name}`;
        if (chatOnly && NOT_CHAT.test(name)) continue;
        if (!listed.some((m) => m.id === id)) listed.push(catalog.describe(id));
      }
    }
    return listed;
  }

  return {
    registry,
    onlySimulated,
    candidates() {
      candidates ??= listCandidates();
      return candidates;
    },
    localModels() {
      return allModels(true)
        .filter((m) => byName.get(m.provider)?.provider.local === true && (onlySimulated || !m.simulated))
        .sort((a, b) => a.inputPerMTok + a.outputPerMTok - (b.inputPerMTok + b.outputPerMTok))
        .map((m) => registry.resolve(m.id));
    },
    list(defaultModel) {
      return allModels(false).map((m) => ({
        ...m,
        available: byName.has(m.provider),
        isDefault: m.id === defaultModel,
      }));
    },
    updateCatalog(entries) {
      catalog = createModelCatalog({ overrides: entries });
      registry.updateCatalog(catalog);
      candidates = undefined;
    },
  };
}
