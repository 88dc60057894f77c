import type { Logger } from '../core/logger.js';
import type { EmbeddingModel } from '../models/index.js';
import type { MemoryStore } from '../store/memory-store.js';

/**
 * Loads in the background what the first task would otherwise wait for (ADR 0031): the task-kind
 * classifier (`classify` compiles it), and the embedding model when the default tenant already holds
 * memories, so the next task's recall embeds its prompt without loading the model first. With no
 * memories yet, nothing needs the model until the first one is written: it stays unloaded, which
 * keeps an idle server ~120 MB smaller. Never rejects: what fails to load here fails again, with its
 * error, where it is used.
 */
export async function warmUp(deps: {
  classify(text: string): unknown;
  /** Undefined when memory is off or embeds nothing. */
  embedder: EmbeddingModel | undefined;
  memories: Pick<MemoryStore, 'count'>;
  tenant: string;
  logger: Logger;
}): Promise<void> {
  try {
    deps.classify('');
    if (!deps.embedder?.warm) return;
    if ((await deps.memories.count({ tenant: deps.tenant })) === 0) return;
    await deps.embedder.warm();
  } catch (error) {
    deps.logger.warn('warm-up: loading ahead of use failed', {
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}
