import type { EmbeddingModel } from '../models/index.js';
import type { MemoryProvenance, MemoryRecord, MemoryStore } from '../store/memory-store.js';
import { junkReason } from './junk-filter.js';
import { STOPWORDS } from './stopwords.js';
import { newMemory } from './new-memory.js';

/** A fact to remember in the semantic layer. */
export interface FactInput {
  tenant: string;
  team?: string | null;
  agent?: string | null;
  taskId?: string | null;
  content: string;
  importance?: number;
  provenance: MemoryProvenance;
  tags?: string[];
  /** System prompts and instructions of the run: a fact that echoes them is refused. */
  instructions?: readonly string[];
}

/** What happened to a fact. */
export type RememberOutcome =
  | { outcome: 'refused'; reason: string }
  | { outcome: 'added'; memory: MemoryRecord }
  /** A near-duplicate existed: it was kept (importance raised, tags merged) and no record added. */
  | { outcome: 'merged'; memory: MemoryRecord }
  /** It contradicts an earlier fact about the same subject, which now ends (`validTo`) where this begins. */
  | { outcome: 'superseded'; memory: MemoryRecord; previous: MemoryRecord };

/** Similarity thresholds (cosine of the embeddings). */
export interface FactThresholds {
  /** At or above, with the same names, numbers and most words: the same fact. */
  duplicate: number;
  /** At or above, about the same subject but with other names, numbers or words: a changed fact. */
  related: number;
}

/** The defaults of `memory.facts.duplicate` and `memory.facts.related`. */
export const DEFAULT_THRESHOLDS: FactThresholds = { duplicate: 0.9, related: 0.8 };

/**
 * Writes a fact to the semantic layer, without a model beyond the embedder: refuses junk, merges
 * near-duplicates, and supersedes a contradicted fact. Embeddings alone cannot tell a duplicate
 * from a contradiction ("the deploy day is Thursday" and "… Monday" are 0.99 similar under
 * USE-lite), so the words decide between them: the same names and numbers and mostly the same
 * words is a duplicate; the same subject with other names, numbers or words is a change.
 */
export async function rememberFact(
  deps: {
    store: MemoryStore;
    /** Embeds the fact now (duplicates are then found by vector, then told apart by words). */
    embedder?: EmbeddingModel | undefined;
    /**
     * Without an embedder: the model that will embed the fact later, in the background (its record
     * is marked as awaiting a vector); null or absent for text-only memory.
     */
    vectorLater?: string | null | undefined;
    now: number;
    thresholds?: FactThresholds;
  },
  fact: FactInput,
): Promise<RememberOutcome> {
  const junk = junkReason(fact.content, fact.instructions);
  if (junk) return { outcome: 'refused', reason: junk };
  const { store, embedder, now } = deps;
  const thresholds = deps.thresholds ?? DEFAULT_THRESHOLDS;
  const [embedding] = embedder ? await embedder.embed([fact.content]) : [];
  // Read after the call: a provider model learns its id (its vector size) from its first answer.
  const model = embedder?.id ?? deps.vectorLater ?? null;
  // Candidates come from the whole tenant, as recall does: a fact one team learnt and the same
  // fact from another team (or added by hand) are one fact, and a change to it replaces it for all.
  const filter = { tenant: fact.tenant, layers: ['semantic' as const] };
  // Without vectors, the best full-text match is the candidate, and word overlap stands in for
  // the similarity thresholds.
  const [nearest] = embedding
    ? await store.searchVector({ vector: embedding, filter, limit: 1 })
    : await store.searchText({ text: fact.content, filter, limit: 1 });
  const existing = nearest ? await store.get(nearest.id, fact.tenant) : null;
  if (existing && nearest) {
    const before = words(existing.content);
    const after = words(fact.content);
    const overlap = jaccard(before.all, after.all);
    const similarity = embedding ? nearest.score : overlap;
    // A word that is a key in either sentence is compared as a key in both: "Bob" and "bob" are
    // one name, whichever sentence capitalised it.
    const keys = new Set([...before.keys, ...after.keys]);
    const keysBefore = new Set([...before.all].filter((word) => keys.has(word)));
    const keysAfter = new Set([...after.all].filter((word) => keys.has(word)));
    const sameKeys = sameSet(keysBefore, keysAfter);
    // The same words are the same fact, whatever the embedding says (USE-lite is case-sensitive:
    // "Bob is …" and "bob is …" are 0.88 similar).
    if ((similarity >= thresholds.duplicate || overlap === 1) && sameKeys && overlap >= 0.5) {
      const merged = await store.update(existing.id, fact.tenant, {
        importance: Math.max(existing.importance, fact.importance ?? 0.5),
        tags: [...new Set([...existing.tags, ...(fact.tags ?? [])])],
      });
      return { outcome: 'merged', memory: merged ?? existing };
    }
    // A change restates the fact with another value: the same subject and most of the same words,
    // with a name, number or negation changed ("the deploy day is Thursday" → "Monday"), or at
    // least 60% of the words the same ("prefers dark mode" → "light mode"). Another statement
    // about the same subject ("The API server is written in Go" after "… requires a token") is a
    // new fact beside it.
    const restated = (!sameKeys && overlap >= 0.5) || overlap >= 0.6;
    if (
      similarity >= (embedding ? thresholds.related : 0.5) &&
      before.subject !== undefined &&
      before.subject === after.subject &&
      restated
    ) {
      // The new value replaces the old one, not what was known about the fact: its tags and
      // importance carry over (merged with the new fact's, as for a duplicate).
      const memory = record(
        {
          ...fact,
          importance: Math.max(existing.importance, fact.importance ?? 0.5),
          tags: [...new Set([...existing.tags, ...(fact.tags ?? [])])],
        },
        embedding ?? null,
        model,
        now,
      );
      // Together: never two current facts that contradict each other, nor one superseded by nothing.
      const [previous] = await store.apply(fact.tenant, {
        add: [memory],
        update: [{ id: existing.id, patch: { validTo: now, supersededBy: memory.id } }],
      });
      return { outcome: 'superseded', memory, previous: previous ?? existing };
    }
  }
  const memory = record(fact, embedding ?? null, model, now);
  await store.add(memory);
  return { outcome: 'added', memory };
}

function record(
  fact: FactInput,
  embedding: Float32Array | null,
  model: string | null,
  now: number,
): MemoryRecord {
  return newMemory(
    { tenant: fact.tenant, layer: 'semantic', content: fact.content.trim(), now },
    {
      team: fact.team ?? null,
      agent: fact.agent ?? null,
      taskId: fact.taskId ?? null,
      embedding,
      // Without an embedding, the model names who will make it (see MemoryStore.awaitingVectors).
      embeddingModel: model,
      importance: fact.importance ?? 0.5,
      provenance: fact.provenance,
      tags: fact.tags ?? [],
    },
  );
}

/**
 * Words that turn a statement around or change its force ("is not", "must" for "can"): stopwords for
 * search, but key words here, so that "Bob is not allergic to peanuts" is not a duplicate of "Bob is
 * allergic to peanuts" but a change to it.
 */
const POLARITY = new Set(
  'not no never none nor cannot can could will would should may might must shall'.split(' '),
);

/**
 * A sentence's content words, its key tokens (names, numbers, negations and modals) and its subject
 * (first content word).
 */
function words(text: string): { all: Set<string>; keys: Set<string>; subject: string | undefined } {
  // "isn't", "can't", "won't": the negation as a word of its own.
  const tokens = text.replace(/n['’]t\b/gi, ' not').match(/[\p{L}\p{N}]+/gu) ?? [];
  const all = new Set<string>();
  const keys = new Set<string>();
  let subject: string | undefined;
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (POLARITY.has(lower)) {
      all.add(lower);
      keys.add(lower);
      continue;
    }
    if (STOPWORDS.has(lower)) continue;
    subject ??= lower;
    all.add(lower);
    if (/\p{N}/u.test(token) || /^\p{Lu}/u.test(token)) keys.add(lower);
  }
  return { all, keys, subject };
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const union = new Set([...a, ...b]).size;
  return union === 0 ? 1 : [...a].filter((x) => b.has(x)).length / union;
}
