import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import type { EmbeddingModel } from '../models/index.js';
import { warmUp } from './warm-up.js';

function fakes(options: { memories: number; warm?: () => Promise<void> }) {
  const seen = { classified: [] as string[], warmed: 0, counted: [] as string[], warnings: [] as string[] };
  const embedder: EmbeddingModel = {
    id: 'fake/2',
    dimensions: 2,
    embed: async (texts) => texts.map(() => new Float32Array(2)),
    warm: async () => {
      seen.warmed++;
      await options.warm?.();
    },
  };
  const logger: Logger = { ...silentLogger, warn: (message) => void seen.warnings.push(message) };
  const deps = {
    classify: (text: string) => void seen.classified.push(text),
    embedder,
    memories: {
      count: async ({ tenant }: { tenant: string }) => {
        seen.counted.push(tenant);
        return options.memories;
      },
    },
    tenant: 'default',
    logger,
  };
  return { seen, deps };
}

describe('warmUp', () => {
  it('compiles the classifier and loads the embedding model when the default tenant holds memories', async () => {
    const { seen, deps } = fakes({ memories: 3 });
    await warmUp(deps);
    expect(seen).toMatchObject({ classified: [''], counted: ['default'], warmed: 1 });
  });

  it('leaves the embedding model unloaded while there is nothing to recall', async () => {
    const { seen, deps } = fakes({ memories: 0 });
    await warmUp(deps);
    expect(seen).toMatchObject({ classified: [''], warmed: 0 });
  });

  it('loads nothing for memory without embeddings, or a model with nothing to load', async () => {
    const off = fakes({ memories: 3 });
    await warmUp({ ...off.deps, embedder: undefined });
    expect(off.seen).toMatchObject({ classified: [''], counted: [], warmed: 0 });
    const eager = fakes({ memories: 3 });
    const { warm: _unused, ...withoutWarm } = eager.deps.embedder;
    await warmUp({ ...eager.deps, embedder: withoutWarm });
    expect(eager.seen.counted).toEqual([]);
  });

  it('logs a model that fails to load instead of rejecting', async () => {
    const { seen, deps } = fakes({ memories: 1, warm: () => Promise.reject(new Error('weights missing')) });
    await expect(warmUp(deps)).resolves.toBeUndefined();
    expect(seen.warnings).toEqual(['warm-up: loading ahead of use failed']);
  });
});
