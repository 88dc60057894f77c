import { newId } from '../core/ids.js';
import type { EmbeddingModel } from '../models/index.js';
import type { MemoryRecord, MemoryStore } from '../store/memory-store.js';
import type { MemoryConfig } from './memory-config.js';
import { searchMemories } from './search-memories.js';
import type { ScoredMemory } from './search-memories.js';

/** What a finished task leaves in episodic memory. */
export interface Episode {
  tenant: string;
  taskId: string;
  prompt: string;
  team: string;
  topology: string;
  models: string[];
  outcome: 'succeeded' | 'failed';
  /** The error code of a failed task. */
  error?: string | undefined;
  /** The start of the output (a succeeded task). */
  output?: string | undefined;
  costUsd: number;
  durationMs: number;
}

/** Recall before a task, episodes after it. */
export interface MemoryService {
  /**
   * The memories most relevant to `text` in the tenant, as a block to put before the task (empty
   * when there are none), within `memory.recall.maxTokens`. Recalled memories count an access.
   */
  recall(query: {
    tenant: string;
    text: string;
    now: number;
  }): Promise<{ block: string; memories: ScoredMemory[] }>;
  /** Writes a task's episode (embedded when an embedder is configured). */
  recordEpisode(episode: Episode, now: number): Promise<MemoryRecord>;
}

/** Options of {@link createMemoryService}. */
export interface MemoryServiceOptions {
  store: MemoryStore;
  config: MemoryConfig;
  /** The embedder (loaded on first use), or undefined for text-only memory. */
  embedder: () => EmbeddingModel | undefined;
}

// Rough token count for the recall budget: recalled text is plain prose.
const CHARS_PER_TOKEN = 4;

/** The memory service over a store and an optional embedder. */
export function createMemoryService(options: MemoryServiceOptions): MemoryService {
  const { store, config } = options;
  return {
    async recall({ tenant, text, now }) {
      // An empty tenant needs no search (and no embedding model loaded).
      if ((await store.count({ tenant })) === 0) return { block: '', memories: [] };
      const found = await searchMemories(
        { store, embedder: options.embedder(), config: config.retrieval, now },
        {
          text,
          filter: { tenant, layers: ['episodic', 'semantic', 'procedural'] },
          limit: config.recall.limit,
        },
      );
      const budget = config.recall.maxTokens * CHARS_PER_TOKEN;
      const lines: string[] = [];
      const used: ScoredMemory[] = [];
      let size = 0;
      for (const hit of found) {
        if (hit.score < config.recall.minScore) continue;
        const line = `- (${new Date(hit.memory.createdAt).toISOString().slice(0, 10)}, ${hit.memory.layer}) ${oneLine(hit.memory.content)}`;
        if (size + line.length > budget) break;
        lines.push(line);
        used.push(hit);
        size += line.length;
      }
      if (used.length === 0) return { block: '', memories: [] };
      await store.touch(
        used.map((hit) => hit.memory.id),
        tenant,
        now,
      );
      return { block: `${RECALL_HEADER}\n${lines.join('\n')}`, memories: used };
    },

    async recordEpisode(episode, now) {
      const content =
        `Task "${oneLine(episode.prompt, 200)}" (team ${episode.team}, ${episode.topology}, models ${episode.models.join(', ') || 'none'}) ` +
        (episode.outcome === 'succeeded'
          ? `succeeded${episode.output ? `: ${oneLine(episode.output, 300)}` : ''}`
          : `failed (${episode.error ?? 'unknown error'})`) +
        ` — $${episode.costUsd.toFixed(4)}, ${(episode.durationMs / 1000).toFixed(1)} s.`;
      const embedder = options.embedder();
      const [embedding] = embedder ? await embedder.embed([content]) : [];
      const memory: MemoryRecord = {
        id: newId('mem', now),
        layer: 'episodic',
        tenant: episode.tenant,
        team: episode.team,
        agent: null,
        taskId: episode.taskId,
        content,
        embedding: embedding ?? null,
        embeddingModel: embedding && embedder ? embedder.id : null,
        importance: episode.outcome === 'failed' ? 0.6 : 0.4,
        createdAt: now,
        lastAccessedAt: now,
        accessCount: 0,
        validFrom: now,
        validTo: null,
        supersededBy: null,
        provenance: { taskId: episode.taskId, step: null, source: null },
        tags: [episode.outcome, episode.topology],
      };
      await store.add(memory);
      return memory;
    },
  };
}

/** The line that opens the recalled-memory block in a prompt. */
export const RECALL_HEADER =
  'Recalled memory (from earlier tasks; it may be out of date — use it only where it helps):';

function oneLine(text: string, max = 500): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
