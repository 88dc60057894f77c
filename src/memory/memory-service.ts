import { AgentdError, notFound } from '../core/errors.js';
import { RECALL_HEADER } from '../core/recall-header.js';
import './memory-error-codes.js';
import '../models/model-error-codes.js';
import type { EmbeddingModel } from '../models/index.js';
import type { MemoryRecord, MemoryStore } from '../store/memory-store.js';
import type { ProcedureStore } from '../store/procedure-store.js';
import type { MemoryConfig } from './memory-config.js';
import { junkReason } from './junk-filter.js';
import { newMemory } from './new-memory.js';
import { contentWords, GENERIC_WORDS } from './stopwords.js';
import { recordProcedure } from './procedural-memory.js';
import { rememberFact } from './remember-fact.js';
import type { RememberOutcome } from './remember-fact.js';
import { searchMemories } from './search-memories.js';
import type { ScoredMemory } from './search-memories.js';
import { createForegroundGate, createVectorIndexer } from './vector-indexer.js';
import { createWorkingMemory, sealWorkingNotes } from './working-memory.js';
import type { Logger } from '../core/logger.js';
import type { MemoryPiiPolicy } from '../security/security-config.js';
import { createNumberedRedactor } from '../security/index.js';
import { LOCAL_ONLY_TAG, PII_DROPPED, underPiiPolicy } from './memory-privacy.js';
import { episodeText, oneLine } from './episode.js';

/**
 * The tag of what a dry run (the simulated model) left in memory. Real tasks do not recall it:
 * a simulated answer is a sample, not knowledge.
 */
export const DRY_RUN_TAG = 'dry-run';

export type { MemoryEdit, MemoryQuery, MemoryService, NewMemory } from './memory-service-api.js';
import type { MemoryService } from './memory-service-api.js';

/** Options of {@link createMemoryService}. */
export interface MemoryServiceOptions {
  store: MemoryStore;
  procedures: ProcedureStore;
  config: MemoryConfig;
  /** The embedder (loaded on first use), or undefined for text-only memory. */
  embedder: () => EmbeddingModel | undefined;
  /** Where background indexing reports an embedder failure. */
  logger: Logger;
  /** What happens to personal data on its way into memory (`security.pii.memory`, default mask). */
  pii?: MemoryPiiPolicy;
}

// Rough token count for the recall budget: recalled text is plain prose.
const CHARS_PER_TOKEN = 4;
// A memory's line with a few words of content: '- (2026-01-01, episodic) ' and ~20 characters.
const SHORTEST_LINE = 45;
const REEMBED_BATCH = 64;

/** The memory service over a store and an optional embedder. */
export function createMemoryService(options: MemoryServiceOptions): MemoryService {
  const { store, procedures, config } = options;
  const embedder = options.embedder;
  const pii = options.pii ?? 'mask';
  const tenantsWithMemories = new Set<string>();
  const thresholds = { duplicate: config.facts.duplicate, related: config.facts.related };
  // Queries (recall, search) embed at once; the vectors of what tasks wrote are made in the
  // background, between queries.
  const foreground = createForegroundGate();
  const indexer = createVectorIndexer({ store, embedder, logger: options.logger, foreground });
  // What an earlier run left waiting (a crash, a stop before the indexer finished) is found by the
  // first write or recall of this one.
  let resumed = false;
  function index(): void {
    resumed = true;
    indexer.wake();
  }
  /** The embedder for a query: the indexer's batches wait while it runs. */
  function queryEmbedder(): EmbeddingModel | undefined {
    const model = embedder();
    if (!resumed && model) index();
    if (!model) return undefined;
    // Getters: a provider model learns its id (its vector size) only from its first answer.
    return {
      get id() {
        return model.id;
      },
      get dimensions() {
        return model.dimensions;
      },
      embed: (texts) => foreground.run(() => model.embed(texts)),
    };
  }
  /** How a memory written without waiting for its vector is marked: the model that will make it. */
  function awaiting(): { embedding: null; embeddingModel: string | null } {
    return { embedding: null, embeddingModel: modelId() };
  }

  async function embedOne(
    text: string,
  ): Promise<{ embedding: Float32Array | null; embeddingModel: string | null }> {
    const model = queryEmbedder();
    const [embedding] = model ? await model.embed([text]) : [];
    return { embedding: embedding ?? null, embeddingModel: embedding && model ? model.id : null };
  }

  async function get(id: string, tenant: string): Promise<MemoryRecord> {
    const memory = await store.get(id, tenant);
    if (!memory) throw notFound('memory', id);
    return memory;
  }

  /**
   * The embedder's id; a provider model that learns its size from its first answer has none until
   * then, which is reported as null rather than failing a stats call.
   */
  function modelId(): string | null {
    try {
      return embedder()?.id ?? null;
    } catch (error) {
      if (error instanceof AgentdError && error.code === 'embedding.dimensions_unknown') return null;
      throw error;
    }
  }

  return {
    get embeddingModel() {
      return modelId();
    },

    async recall({ tenant, text, now, dryRun = false, localOnly = false, expectedInputTokens }) {
      // The block, its heading and the blank line before the task count against the budget.
      const shareTokens =
        expectedInputTokens === undefined
          ? Infinity
          : Math.max(config.recall.minTokens, config.recall.share * expectedInputTokens);
      const budget = Math.floor(Math.min(config.recall.maxTokens, shareTokens) * CHARS_PER_TOKEN);
      let size = RECALL_HEADER.length + 2;
      // Not even the heading and one short memory fit: no search, no embedding, no block.
      if (size + SHORTEST_LINE > budget) return { block: '', memories: [] };
      // An empty tenant needs no search (and no embedding model loaded).
      // Counted once per tenant and process (a count reads every current memory of the tenant);
      // a tenant that had memories is searched from then on, even if they are all forgotten.
      if (!tenantsWithMemories.has(tenant)) {
        if ((await store.count({ tenant })) === 0) return { block: '', memories: [] };
        tenantsWithMemories.add(tenant);
      }
      // Dry runs' memories are left out after the search (they are rare next to real ones), from
      // twice the candidates so that a few of them do not crowd out what is recalled.
      const limit = config.recall.limit;
      // The query's vector is kept: the task's episode is stored with it. Unless personal data may
      // be kept in memory, the embedder (perhaps a provider's) sees the prompt with it masked.
      const model = queryEmbedder();
      const queried = model
        ?.embed([pii === 'keep' ? text : createNumberedRedactor().redact(text)])
        .then(([vector]) => vector);
      const found = (
        await searchMemories(
          { store, embedder: model, config: config.retrieval, now },
          {
            text,
            filter: { tenant, layers: config.recall.layers },
            limit: dryRun ? limit : limit * 2,
            ...(queried ? { vector: queried } : {}),
          },
        )
      )
        .filter((hit) => dryRun || !hit.memory.tags.includes(DRY_RUN_TAG))
        .filter((hit) => localOnly || !hit.memory.tags.includes(LOCAL_ONLY_TAG))
        .slice(0, limit);
      const asked = new Set([...contentWords(text)].filter((word) => !GENERIC_WORDS.has(word)));
      const lines: string[] = [];
      const used: ScoredMemory[] = [];
      for (const hit of found) {
        if (hit.score < config.recall.minScore) continue;
        // Relevance is relative to the candidates, so it cannot tell "the best of nothing" from a
        // match: a memory is recalled only when it shares a content word with the task (an
        // episode's words are those of its task and output, not of its template: every episode says
        // "Task", "team" and "succeeded") or is close in meaning.
        const about =
          hit.memory.layer === 'episodic'
            ? (hit.memory.provenance.source ?? hit.memory.content)
            : hit.memory.content;
        const shared = [...contentWords(about)].some((word) => asked.has(word));
        if (!shared && (hit.components.vectorSimilarity ?? 0) < config.recall.minSimilarity) continue;
        // Nothing that reads as an instruction goes into a prompt, whatever wrote it (an episode
        // quotes its task's prompt, and memories written before a filter rule existed).
        if (junkReason(hit.memory.content)) continue;
        // A local-only memory says so in its line: the hybrid policy keeps a call that carries it local.
        const mark = hit.memory.tags.includes(LOCAL_ONLY_TAG) ? `, ${LOCAL_ONLY_TAG}` : '';
        const line = `- (${new Date(hit.memory.createdAt).toISOString().slice(0, 10)}, ${hit.memory.layer}${mark}) ${oneLine(hit.memory.content)}`;
        // One that does not fit is left out; a shorter one further down may still fit.
        if (size + 1 + line.length > budget) continue;
        lines.push(line);
        used.push(hit);
        size += 1 + line.length;
      }
      const vector = await queried;
      if (used.length === 0) return { block: '', memories: [], vector };
      await store.touch(
        used.map((hit) => hit.memory.id),
        tenant,
        now,
      );
      return { block: `${RECALL_HEADER}\n${lines.join('\n')}`, memories: used, vector };
    },

    async recordEpisode(episode, now, vector) {
      // Personal data is masked (or found) before anything is cut short: a value cut in half is no
      // longer recognised, and its first half would be stored as it is.
      const texts = underPiiPolicy(pii, {
        prompt: episode.prompt,
        output: episode.output ?? null,
        error: episode.error ?? null,
      });
      if (!texts) return null;
      const { content, source } = episodeText(episode, texts.texts);
      const memory = newMemory(
        { tenant: episode.tenant, layer: 'episodic', content, now },
        {
          ...(vector && embedder() ? { embedding: vector, embeddingModel: modelId() } : awaiting()),
          team: episode.team,
          taskId: episode.taskId,
          importance: episode.outcome === 'failed' ? 0.6 : 0.4,
          provenance: { taskId: episode.taskId, step: null, source },
          tags: [
            ...new Set([
              episode.outcome,
              episode.topology,
              ...(episode.dryRun ? [DRY_RUN_TAG] : []),
              ...(episode.tags ?? []),
              ...texts.tags,
            ]),
          ],
        },
      );
      await store.add(memory);
      if (memory.embedding === null) index();
      return memory;
    },

    async rememberFacts(input, now) {
      const outcomes: RememberOutcome[] = [];
      for (const fact of input.facts.slice(0, config.facts.maxPerTask)) {
        const kept = underPiiPolicy(pii, { content: fact.content, source: fact.source });
        if (!kept) {
          outcomes.push({ outcome: 'refused', reason: PII_DROPPED });
          continue;
        }
        outcomes.push(
          await rememberFact(
            { store, vectorLater: modelId(), now, thresholds },
            {
              tenant: input.tenant,
              team: input.team ?? null,
              taskId: input.taskId,
              content: kept.texts.content,
              importance: fact.importance,
              provenance: { taskId: input.taskId, step: input.step, source: kept.texts.source },
              tags: [...new Set([...(input.tags ?? []), ...kept.tags])],
              instructions: input.instructions ?? [],
            },
          ),
        );
      }
      if (outcomes.some((o) => o.outcome === 'added' || o.outcome === 'superseded')) index();
      return outcomes;
    },

    async recordProcedure(run, now) {
      const { procedure, memory } = await recordProcedure(
        { memories: store, procedures, vectorLater: modelId(), now },
        run,
      );
      if (memory && memory.embedding === null) index();
      return procedure;
    },

    async settled() {
      if (!embedder()) return;
      index();
      await indexer.idle();
    },

    close: (closing) => indexer.close(closing),

    sealWorkingNotes: (tenant, taskId) => sealWorkingNotes({ store, tenant, taskId, pii }),

    async dropWorkingNotes(tenant, taskId) {
      // Through the store's own forget, so the full-text and vector indexes drop them too.
      const notes = await store.list({ filter: { tenant, taskId, layers: ['working'] }, limit: 10_000 });
      if (notes.length > 0) await store.apply(tenant, { forget: notes.map((note) => note.id) });
      return notes.length;
    },

    workingMemory(working) {
      return createWorkingMemory({
        store,
        tenant: working.tenant,
        taskId: working.taskId,
        team: working.team ?? null,
        maxTokens: config.working.maxTokens,
        now: working.now,
        ...(working.summarise ? { summarise: working.summarise } : {}),
      });
    },

    search(query, now) {
      return searchMemories(
        { store, embedder: queryEmbedder(), config: config.retrieval, now },
        {
          text: query.text,
          limit: query.limit,
          ...(query.mode ? { mode: query.mode } : {}),
          filter: {
            tenant: query.tenant,
            ...(query.layers ? { layers: query.layers } : {}),
            ...(query.team !== undefined ? { team: query.team } : {}),
            ...(query.agent !== undefined ? { agent: query.agent } : {}),
            ...(query.taskId !== undefined ? { taskId: query.taskId } : {}),
            ...(query.tags ? { tags: query.tags } : {}),
            ...(query.createdAfter !== undefined ? { createdAfter: query.createdAfter } : {}),
            ...(query.createdBefore !== undefined ? { createdBefore: query.createdBefore } : {}),
            ...(query.includeSuperseded ? { includeSuperseded: true } : {}),
          },
        },
      );
    },

    async add(input, now) {
      const kept = underPiiPolicy(pii, { content: input.content, source: input.source ?? null });
      if (!kept) return { outcome: 'refused', reason: PII_DROPPED };
      const { content } = kept.texts;
      const tags = [...new Set([...(input.tags ?? []), ...kept.tags])];
      const provenance = { taskId: input.taskId ?? null, step: null, source: kept.texts.source };
      const layer = input.layer ?? 'semantic';
      // Every layer is recalled into prompts (or read by team design): junk is refused in all.
      const junk = junkReason(content);
      if (junk) return { outcome: 'refused', reason: junk };
      if (layer === 'semantic') {
        return rememberFact(
          { store, embedder: queryEmbedder(), now, thresholds },
          {
            tenant: input.tenant,
            team: input.team ?? null,
            agent: input.agent ?? null,
            taskId: input.taskId ?? null,
            content,
            ...(input.importance !== undefined ? { importance: input.importance } : {}),
            provenance,
            tags,
          },
        );
      }
      const memory = newMemory(
        { tenant: input.tenant, layer, content: content.trim(), now },
        {
          ...(await embedOne(content)),
          team: input.team ?? null,
          agent: input.agent ?? null,
          taskId: input.taskId ?? null,
          importance: input.importance ?? 0.5,
          provenance,
          tags,
        },
      );
      await store.add(memory);
      return { outcome: 'added', memory };
    },

    get,

    async edit(id, tenant, edit) {
      const current = await get(id, tenant);
      // New content passes the same PII policy and junk filter as a new memory: an edit must not
      // smuggle personal data or an instruction into what later tasks recall.
      const kept =
        edit.content === undefined ? undefined : underPiiPolicy(pii, { content: edit.content.trim() });
      if (kept === null) {
        throw new AgentdError({
          code: 'memory.refused',
          message: `memory not changed: ${PII_DROPPED}`,
          details: { reason: PII_DROPPED },
        });
      }
      const content = kept?.texts.content;
      const junk = content !== undefined && content !== current.content ? junkReason(content) : undefined;
      if (junk) {
        throw new AgentdError({
          code: 'memory.refused',
          message: `memory not changed: ${junk}`,
          details: { reason: junk },
        });
      }
      const updated = await store.update(id, tenant, {
        ...(content !== undefined && content !== current.content
          ? { content, ...(await embedOne(content)) }
          : {}),
        ...(edit.importance !== undefined ? { importance: edit.importance } : {}),
        ...(edit.tags !== undefined || (kept && kept.tags.length > 0)
          ? { tags: [...new Set([...(edit.tags ?? current.tags), ...(kept?.tags ?? [])])] }
          : {}),
      });
      if (!updated) throw notFound('memory', id);
      return updated;
    },

    async forget(id, tenant) {
      if (!(await store.forget(id, tenant))) throw notFound('memory', id);
      await procedures.forgetByMemory(id, tenant);
    },

    async stats(tenant) {
      return {
        ...(await store.stats(tenant)),
        vectorIndex: store.vectorIndex,
        vectorIndexDetail: store.vectorIndexDetail ?? null,
        embeddingModel: knownId(embedder()),
      };
    },

    async reembed({ onProgress } = {}) {
      const model = embedder();
      if (!model) {
        throw new AgentdError({
          code: 'memory.no_embeddings',
          message: "memory.embeddings is 'none': there is no embedding model to re-embed with",
        });
      }
      // A provider model may learn its id (its vector size) only from a first answer.
      await model.embed(['agentd']);
      let reembedded = 0;
      let current = 0;
      for (const tenant of await store.tenants()) {
        let after: string | undefined;
        for (;;) {
          const page = await store.list({
            filter: { tenant, includeSuperseded: true },
            limit: REEMBED_BATCH,
            ...(after ? { after } : {}),
          });
          if (page.length === 0) break;
          after = page.at(-1)?.id;
          const stale = page.filter((memory) => memory.embeddingModel !== model.id || !memory.embedding);
          current += page.length - stale.length;
          if (stale.length === 0) continue;
          const vectors = await model.embed(stale.map((memory) => memory.content));
          for (const [i, memory] of stale.entries()) {
            await store.update(memory.id, tenant, {
              embedding: vectors[i] ?? null,
              embeddingModel: model.id,
            });
          }
          reembedded += stale.length;
          onProgress?.(reembedded);
        }
      }
      return { model: model.id, reembedded, current };
    },

    procedures: (query) => procedures.list(query),
  };
}

/** The line that opens the recalled-memory block in a prompt. */
export { RECALL_HEADER };

/**
 * The embedding model's id, or null while it is not known: a provider model without configured
 * dimensions learns its vector size (part of its id) from its first embedding.
 */
function knownId(embedder: EmbeddingModel | undefined): string | null {
  if (!embedder) return null;
  try {
    return embedder.id;
  } catch (error) {
    if (error instanceof AgentdError && error.code === 'embedding.dimensions_unknown') return null;
    throw error;
  }
}
