import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUseLiteEmbeddingModel } from '../models/providers/use-lite/use-lite-embedding-model.js';
import type { MemoryRecord } from '../store/memory-store.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import { MemoryConfigSchema } from './memory-config.js';
import { searchMemories } from './search-memories.js';

const DAY = 86_400_000;
const NOW = 100 * DAY;

// A small fixture with known answers: each query has one memory it is about.
const FACTS: [string, string][] = [
  ['berlin', 'Caroline moved to Berlin in May to start a new job.'],
  ['pottery', 'Melanie signed up for a pottery class that meets on Tuesdays.'],
  ['dog', 'Jon adopted a rescue dog named Biscuit last winter.'],
  ['marathon', 'Gina is training for the Chicago marathon in October.'],
  ['allergy', 'The user is allergic to peanuts and avoids Thai food.'],
  ['deploy', 'Production deploys happen on Thursdays after the standup.'],
  ['book', 'Caroline is reading a novel about a lighthouse keeper.'],
  ['guitar', 'Melanie has played the guitar since she was twelve.'],
  ['budget', 'The marketing budget for Q3 was cut by twenty percent.'],
  ['garden', 'Jon grows tomatoes and basil in his garden.'],
];

describe('hybrid memory search', () => {
  let stores: Stores;
  const embedder = createUseLiteEmbeddingModel();
  const config = MemoryConfigSchema.parse({}).retrieval;
  const search = (text: string, extra: Partial<Parameters<typeof searchMemories>[1]> = {}) =>
    searchMemories(
      { store: stores.memories, embedder, config, now: NOW },
      {
        text,
        filter: { tenant: 'acme' },
        limit: 3,
        ...extra,
      },
    );

  beforeAll(async () => {
    stores = openSqliteStores({ path: ':memory:' });
    const vectors = await embedder.embed(FACTS.map(([, text]) => text));
    for (const [i, [id, content]] of FACTS.entries()) {
      const record: MemoryRecord = {
        id,
        layer: 'semantic',
        tenant: 'acme',
        team: null,
        agent: null,
        taskId: null,
        content,
        embedding: vectors[i] ?? null,
        embeddingModel: embedder.id,
        importance: 0.5,
        createdAt: NOW - DAY,
        lastAccessedAt: NOW - DAY,
        accessCount: 0,
        validFrom: NOW - DAY,
        validTo: null,
        supersededBy: null,
        provenance: { taskId: null, step: null, source: null },
        tags: [],
      };
      await stores.memories.add(record);
    }
  }, 30_000);
  afterAll(async () => {
    await stores.close();
  });

  it.each([
    ['What hobby did Melanie pick up?', 'pottery'],
    ['What is the name of Jon’s pet?', 'dog'],
    ['Which race is Gina preparing for?', 'marathon'],
    ['What food should I avoid ordering for the user?', 'allergy'],
    ['When do we ship to production?', 'deploy'],
  ])('%s → %s first', async (query, expected) => {
    const results = await search(query);
    expect(results[0]?.memory.id).toBe(expected);
  });

  it('finds both memories that name the person, and vectors alone tell which one is about living', async () => {
    // Full-text search matches only "Caroline", twice, and BM25's length normalisation prefers the
    // shorter turn by 7%; USE-lite's cosine prefers the Berlin one by 0.08. With text weighing 0.7
    // in the blend (measured on LoCoMo, where the vectors are the weaker index) the 7% wins, so the
    // hybrid is asked for both Caroline memories on top, and vector search alone for the right one.
    const hybrid = await search('Where does Caroline live now?', { limit: 2 });
    expect(new Set(hybrid.map((hit) => hit.memory.id))).toEqual(new Set(['berlin', 'book']));
    const vector = await search('Where does Caroline live now?', { mode: 'vector' });
    expect(vector[0]?.memory.id).toBe('berlin');
  });

  it('finds paraphrases that share no word with the memory (vectors), and exact words (BM25)', async () => {
    const paraphrase = await search('their canine companion', { mode: 'vector' });
    expect(paraphrase[0]?.memory.id).toBe('dog');
    expect(await search('their canine companion', { mode: 'text' })).toEqual([]);
    const exact = await search('Biscuit', { mode: 'text' });
    expect(exact[0]?.memory.id).toBe('dog');
  });

  it('reports each result’s score components: relevance blends BM25 (over the best) and cosine', async () => {
    const [top] = await search('Melanie pottery class on Tuesdays');
    expect(top?.memory.id).toBe('pottery');
    expect(top?.components).toMatchObject({ textRank: 1, vectorRank: 1, importance: 0.5, access: 0 });
    // First in full-text search (BM25 / the best = 1), so 0.7 · 1 + 0.3 · its cosine similarity.
    const { text, vector } = config.fusion;
    const cosine = top?.components.vectorSimilarity ?? NaN;
    expect(top?.components.relevance).toBeCloseTo((text + vector * cosine) / (text + vector), 10);
    expect(top?.components.recency).toBeCloseTo(Math.pow(0.5, 1 / 30), 10);
    const w = config.weights;
    const expected =
      (w.relevance * (top?.components.relevance ?? NaN) +
        w.recency * top!.components.recency +
        w.importance * 0.5) /
      (w.relevance + w.recency + w.importance + w.access);
    expect(top?.score).toBeCloseTo(expected, 10);
  });

  it('lets recency and importance reorder equally relevant memories', async () => {
    const recent = { createdAt: NOW - DAY, lastAccessedAt: NOW - DAY };
    const old = { createdAt: NOW - 90 * DAY, lastAccessedAt: NOW - 90 * DAY };
    const base = {
      layer: 'episodic' as const,
      tenant: 'other',
      team: null,
      agent: null,
      taskId: null,
      embedding: null,
      embeddingModel: null,
      accessCount: 0,
      validTo: null,
      supersededBy: null,
      provenance: { taskId: null, step: null, source: null },
      tags: [],
    };
    await stores.memories.add({
      ...base,
      ...old,
      id: 'old',
      content: 'standup notes',
      importance: 0.5,
      validFrom: 0,
    });
    await stores.memories.add({
      ...base,
      ...recent,
      id: 'new',
      content: 'standup notes',
      importance: 0.5,
      validFrom: 0,
    });
    await stores.memories.add({
      ...base,
      ...old,
      id: 'vip',
      content: 'standup notes',
      importance: 1,
      validFrom: 0,
    });
    const results = await searchMemories(
      { store: stores.memories, config, now: NOW },
      { text: 'standup notes', filter: { tenant: 'other' }, limit: 3 },
    );
    const order = results.map((r) => r.memory.id);
    expect(order.indexOf('new')).toBeLessThan(order.indexOf('old'));
    expect(order.indexOf('vip')).toBeLessThan(order.indexOf('old'));
  });

  it('does not let a newer, weaker match pass a better one: recency only breaks ties', async () => {
    const base = {
      layer: 'episodic' as const,
      tenant: 'ties',
      team: null,
      agent: null,
      taskId: null,
      embedding: null,
      embeddingModel: null,
      importance: 0.5,
      accessCount: 0,
      validFrom: 0,
      validTo: null,
      supersededBy: null,
      provenance: { taskId: null, step: null, source: null },
      tags: [],
    };
    const at = (days: number) => ({ createdAt: NOW - days * DAY, lastAccessedAt: NOW - days * DAY });
    await stores.memories.addMany([
      { ...base, ...at(120), id: 'best', content: 'invoice reminder for the Hamburg office lease' },
      { ...base, ...at(1), id: 'newer', content: 'invoice reminder for the office plants' },
      { ...base, ...at(1), id: 'weakest', content: 'the office kitchen rota' },
    ]);
    const results = await searchMemories(
      { store: stores.memories, config, now: NOW },
      { text: 'invoice reminder Hamburg office lease', filter: { tenant: 'ties' }, limit: 3 },
    );
    expect(results.map((r) => r.memory.id)).toEqual(['best', 'newer', 'weakest']);
  });

  it('respects the filter: another tenant sees nothing of these', async () => {
    expect(await search('Caroline', { filter: { tenant: 'nobody' } })).toEqual([]);
  });
});
