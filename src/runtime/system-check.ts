import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { AgentdError } from '../core/errors.js';
import { isLoopbackName } from '../core/loopback.js';
import { checkProviders, defaultModelId } from '../models/index.js';
import type { EmbeddingModel, ModelInventory, ProviderCheck } from '../models/index.js';
import type { ConfiguredProvider } from './configured-providers.js';

/** What `agentd doctor` learns about the embedding model. */
export interface EmbeddingsCheck {
  level: 'ok' | 'warn' | 'fail';
  /** The model's id, or null for text-only memory. */
  model: string | null;
  detail: string;
  fix?: string;
  /** With a live check: how long loading it and embedding one text took, ms. */
  loadMs?: number;
}

/** The providers and embeddings part of `agentd doctor` (see ModelService.check). */
export interface SystemCheck {
  providers: ProviderCheck[];
  embeddings: EmbeddingsCheck;
}

/** Checks providers and the embedding model; `live` makes one call per provider and loads the embedder. */
export async function systemCheck(options: {
  config: AgentdConfig;
  configured: readonly ConfiguredProvider[];
  models: ModelInventory;
  defaultModel: string;
  embedder: EmbeddingModel | undefined;
  clock: Clock;
  live: boolean;
}): Promise<SystemCheck> {
  const { config, configured, models, defaultModel, clock, live } = options;
  const listed = models.list(defaultModel);
  const modelFor = (name: string): string | undefined => {
    if (defaultModel.startsWith(`${name}/`)) return defaultModel.slice(name.length + 1);
    const provider = configured.find((c) => c.config.name === name);
    try {
      if (provider) {
        const id = defaultModelId({
          configured: undefined,
          providers: [{ name, type: provider.config.type, defaultModel: provider.config.defaultModel }],
          ...(provider.detectedModels ? { discoveredModels: { [name]: [...provider.detectedModels] } } : {}),
        });
        return id.slice(name.length + 1);
      }
    } catch {
      // No default for this provider type (an openai-compatible server): a catalog model of it below.
    }
    const cheapest = listed
      .filter((m) => m.provider === name && m.available)
      .sort((a, b) => a.inputPerMTok + a.outputPerMTok - (b.inputPerMTok + b.outputPerMTok))[0];
    return cheapest?.model;
  };
  const providers = await checkProviders({
    providers: configured,
    problems: config.problems,
    modelFor,
    live,
    timeoutMs: live ? 20_000 : 1_500,
    now: () => clock.now(),
    isLocal: (c) => c.local ?? (c.baseUrl !== undefined && isLoopbackName(new URL(c.baseUrl).hostname)),
  });
  return { providers, embeddings: await embeddingsCheck(options.embedder, config, clock, live) };
}

async function embeddingsCheck(
  embedder: EmbeddingModel | undefined,
  config: AgentdConfig,
  clock: Clock,
  live: boolean,
): Promise<EmbeddingsCheck> {
  if (!config.memory.enabled) return { level: 'ok', model: embedder?.id ?? null, detail: 'memory is off' };
  if (!embedder) {
    return {
      level: 'ok',
      model: null,
      detail: 'none: memory search is text only (BM25)',
      fix: 'memory.embeddings: use-lite for the offline model',
    };
  }
  // A provider model without configured dimensions learns its id (and vector size) on first use.
  const idNow = (): string | null => {
    try {
      return embedder.id;
    } catch (error) {
      if (error instanceof AgentdError && error.code === 'embedding.dimensions_unknown') return null;
      throw error;
    }
  };
  if (!live) {
    const id = idNow();
    return id
      ? { level: 'ok', model: id, detail: `${id}, loaded on first use (--live loads it now)` }
      : {
          level: 'ok',
          model: null,
          detail: 'a provider model whose vector size is learned on first use (--live calls it now)',
          fix: 'set memory.embeddings.dimensions to know it up front',
        };
  }
  const started = clock.now();
  try {
    await embedder.warm?.();
    await embedder.embed(['agentd doctor']);
    const loadMs = Math.round(clock.now() - started);
    return {
      level: 'ok',
      model: embedder.id,
      detail: `${embedder.id}, loaded and embedded a text in ${loadMs} ms`,
      loadMs,
    };
  } catch (error) {
    return {
      level: 'fail',
      model: embedder.id,
      detail: `${embedder.id} failed to load or embed: ${error instanceof Error ? error.message : String(error)}`,
      fix: 'check memory.embeddings (or set it to none for text-only memory)',
    };
  }
}
