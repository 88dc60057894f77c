import type { EmbeddingModel } from '../models/index.js';
import type { MemoryFilter, MemoryRecord, MemoryStore } from '../store/memory-store.js';
import type { MemoryConfig } from './memory-config.js';

/** Why a memory ranked where it did: each component is 0–1, `score` their weighted sum. */
export interface ScoreComponents {
  /** Reciprocal rank fusion of the text and vector ranks, scaled so that first in both is 1. */
  relevance: number;
  textRank: number | null;
  vectorRank: number | null;
  recency: number;
  importance: number;
  access: number;
}

/** A memory found by a search, with its score and the components of it. */
export interface ScoredMemory {
  memory: MemoryRecord;
  score: number;
  components: ScoreComponents;
}

/** Which indexes a search uses: both (the default), or one of them (benchmarks compare them). */
export type SearchMode = 'hybrid' | 'text' | 'vector';

/** A memory search. */
export interface MemorySearch {
  text: string;
  filter: MemoryFilter;
  limit: number;
  mode?: SearchMode;
}

const DAY_MS = 86_400_000;
// Access counts saturate: 1 − e^(−count / 5) gives 0.18 for one recall, 0.86 for ten.
const ACCESS_SCALE = 5;

/**
 * Hybrid search: full-text (BM25) and vector similarity, each asked for `candidates` × the wanted
 * results, fused by reciprocal rank fusion, then re-scored with recency (exponential decay since
 * the last recall, `halfLifeDays`), importance and access count. Returns the top `limit` with their
 * score components. Without an embedding model, it is text search re-scored the same way.
 */
export async function searchMemories(
  deps: {
    store: MemoryStore;
    embedder?: EmbeddingModel | undefined;
    config: MemoryConfig['retrieval'];
    now: number;
  },
  search: MemorySearch,
): Promise<ScoredMemory[]> {
  const { store, embedder, config, now } = deps;
  const mode = search.mode ?? 'hybrid';
  const pool = search.limit * config.candidates;
  const [textHits, vectorHits] = await Promise.all([
    mode === 'vector' ? [] : store.searchText({ text: search.text, filter: search.filter, limit: pool }),
    mode === 'text' || !embedder
      ? []
      : embedder
          .embed([search.text])
          .then(([vector]) =>
            vector ? store.searchVector({ vector, filter: search.filter, limit: pool }) : [],
          ),
  ]);
  const ranks = new Map<string, { text: number | null; vector: number | null }>();
  textHits.forEach((hit, i) => ranks.set(hit.id, { text: i + 1, vector: null }));
  vectorHits.forEach((hit, i) => {
    const entry = ranks.get(hit.id);
    if (entry) entry.vector = i + 1;
    else ranks.set(hit.id, { text: null, vector: i + 1 });
  });
  if (ranks.size === 0) return [];

  const memories = await store.getMany([...ranks.keys()], search.filter.tenant);
  const indexes = (mode === 'hybrid' && embedder ? 2 : 1) as number;
  const best = indexes / (config.rrfK + 1);
  const { weights } = config;
  const total = weights.relevance + weights.recency + weights.importance + weights.access || 1;
  const scored = memories.map((memory): ScoredMemory => {
    const rank = ranks.get(memory.id) as { text: number | null; vector: number | null };
    const fused =
      (rank.text === null ? 0 : 1 / (config.rrfK + rank.text)) +
      (rank.vector === null ? 0 : 1 / (config.rrfK + rank.vector));
    const ageDays = Math.max(0, now - Math.max(memory.lastAccessedAt, memory.createdAt)) / DAY_MS;
    const components: ScoreComponents = {
      relevance: fused / best,
      textRank: rank.text,
      vectorRank: rank.vector,
      recency: Math.pow(0.5, ageDays / config.halfLifeDays),
      importance: memory.importance,
      access: 1 - Math.exp(-memory.accessCount / ACCESS_SCALE),
    };
    const score =
      (weights.relevance * components.relevance +
        weights.recency * components.recency +
        weights.importance * components.importance +
        weights.access * components.access) /
      total;
    return { memory, score, components };
  });
  return scored.sort((a, b) => b.score - a.score).slice(0, search.limit);
}
