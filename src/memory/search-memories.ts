import type { EmbeddingModel } from '../models/index.js';
import type { MemoryFilter, MemoryHit, MemoryRecord, MemoryStore } from '../store/memory-store.js';
import type { MemoryConfig } from './memory-config.js';
import { STOPWORDS } from './stopwords.js';

/** Why a memory ranked where it did: each component is 0–1; `score` is their weighted sum. */
export interface ScoreComponents {
  /**
   * How well it matches (`memory.retrieval.fusion`): a blend of its BM25 score over the best
   * candidate's and its cosine similarity; with `method: rrf`, its fused reciprocal ranks, min-max
   * normalised over the candidates.
   */
  relevance: number;
  textRank: number | null;
  vectorRank: number | null;
  /** The cosine similarity of the memory's vector to the query's, when vector search found it. */
  vectorSimilarity: number | null;
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
  /** The query's embedding when the caller already asked for it (else the embedder is asked). */
  vector?: Promise<Float32Array | undefined>;
}

const DAY_MS = 86_400_000;
// Access counts saturate: 1 − e^(−count / 5) gives 0.18 for one recall, 0.86 for ten.
const ACCESS_SCALE = 5;

/**
 * Hybrid search: full-text (BM25) and vector similarity, each asked for `candidates` × the wanted
 * results, fused (`memory.retrieval.fusion`: by default a convex blend of the normalised BM25 score
 * and the cosine similarity), then scored by `weights` (by default relevance alone) with ties broken
 * by recency (exponential decay since the last recall, `halfLifeDays`), importance and access count.
 * Returns the top `limit` with their score components. Without an embedding model, it is text search
 * scored the same way.
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
    mode === 'vector'
      ? []
      : store.searchText({ text: textQuery(search.text), filter: search.filter, limit: pool }),
    mode === 'text' || !embedder
      ? []
      : (search.vector ?? embedder.embed([search.text]).then(([vector]) => vector)).then((vector) =>
          vector ? store.searchVector({ vector, filter: search.filter, limit: pool }) : [],
        ),
  ]);
  const ranks = new Map<string, Ranks>();
  // Equal scores share a rank (1, 1, 3, …): an index that cannot tell two memories apart must
  // not make one of them look more relevant.
  competitionRanks(textHits).forEach((rank, i) =>
    ranks.set((textHits[i] as MemoryHit).id, { text: rank, vector: null }),
  );
  competitionRanks(vectorHits).forEach((rank, i) => {
    const id = (vectorHits[i] as MemoryHit).id;
    const entry = ranks.get(id);
    if (entry) entry.vector = rank;
    else ranks.set(id, { text: null, vector: rank });
  });
  if (ranks.size === 0) return [];

  const memories = await store.getMany([...ranks.keys()], search.filter.tenant);
  const similarity = new Map(vectorHits.map((hit) => [hit.id, hit.score]));
  const relevanceOf =
    config.fusion.method === 'rrf'
      ? rrfRelevance(config, ranks, memories)
      : blendRelevance(config.fusion, textHits, similarity);
  const { weights } = config;
  const total = weights.relevance + weights.recency + weights.importance + weights.access || 1;
  const scored = memories.map((memory): ScoredMemory => {
    const rank = ranks.get(memory.id) as Ranks;
    const ageDays = Math.max(0, now - Math.max(memory.lastAccessedAt, memory.createdAt)) / DAY_MS;
    const components: ScoreComponents = {
      relevance: relevanceOf(memory.id),
      textRank: rank.text,
      vectorRank: rank.vector,
      vectorSimilarity: similarity.get(memory.id) ?? null,
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
  // Equal scores (the same words, or the same task again) go to the newer, then the more important.
  const order = (a: ScoredMemory, b: ScoredMemory) =>
    b.score - a.score ||
    b.components.recency - a.components.recency ||
    b.components.importance - a.components.importance ||
    b.components.access - a.components.access;
  return scored.sort(order).slice(0, search.limit);
}

/** A memory's ranks in the two indexes (null where that index did not find it). */
interface Ranks {
  text: number | null;
  vector: number | null;
}

/**
 * The convex blend: `text` × BM25 over the best candidate's + `vector` × cosine similarity (negative
 * as 0), over the weights of the indexes that found anything. BM25 scores are not comparable between
 * queries, so they are divided by the best; cosine similarities are, so they are taken as they are:
 * a weak vector match stays weak even when it is the best there is (LoCoMo: docs/benchmarks.md).
 */
function blendRelevance(
  fusion: MemoryConfig['retrieval']['fusion'],
  textHits: readonly MemoryHit[],
  similarity: ReadonlyMap<string, number>,
): (id: string) => number {
  const text = new Map(textHits.map((hit) => [hit.id, hit.score]));
  const best = Math.max(0, ...text.values());
  const textWeight = text.size > 0 ? fusion.text : 0;
  const vectorWeight = similarity.size > 0 ? fusion.vector : 0;
  const total = textWeight + vectorWeight || 1;
  return (id) => {
    const bm25 = text.get(id);
    const normalised = bm25 === undefined ? 0 : best > 0 ? Math.max(0, bm25) / best : 1;
    return (textWeight * normalised + vectorWeight * Math.max(0, similarity.get(id) ?? 0)) / total;
  };
}

/**
 * Weighted reciprocal rank fusion, min-max normalised over the candidates (as in Park et al.'s
 * generative agents): raw RRF scores are nearly flat (1/61 vs 1/70 for ranks 1 and 10).
 */
function rrfRelevance(
  config: MemoryConfig['retrieval'],
  ranks: ReadonlyMap<string, Ranks>,
  memories: readonly MemoryRecord[],
): (id: string) => number {
  const fused = new Map(
    memories.map((memory) => {
      const rank = ranks.get(memory.id) as Ranks;
      const value =
        (rank.text === null ? 0 : config.fusion.text / (config.rrfK + rank.text)) +
        (rank.vector === null ? 0 : config.fusion.vector / (config.rrfK + rank.vector));
      return [memory.id, value];
    }),
  );
  const top = Math.max(...fused.values());
  const bottom = Math.min(...fused.values());
  return (id) => (top === bottom ? 1 : ((fused.get(id) ?? 0) - bottom) / (top - bottom));
}

/** Ranks of hits sorted best first, with ties (equal scores) sharing the better rank. */
function competitionRanks(hits: readonly MemoryHit[]): number[] {
  const ranks: number[] = [];
  hits.forEach((hit, i) => {
    const previous = hits[i - 1];
    ranks.push(previous !== undefined && previous.score === hit.score ? (ranks[i - 1] as number) : i + 1);
  });
  return ranks;
}

/**
 * What full-text search is asked for a query: its content words (stopwords match nearly
 * everything), or the text itself when it has none.
 */
export function textQuery(text: string): string {
  const words = (text.match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !STOPWORDS.has(word.toLowerCase()));
  return words.length > 0 ? words.join(' ') : text;
}
