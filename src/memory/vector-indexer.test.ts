import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { EmbeddingModel } from '../models/index.js';
import { memoryRecord } from '../store/conformance/memory-fixtures.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import { until } from '../testing/until.js';
import { createForegroundGate, createVectorIndexer } from './vector-indexer.js';

const MODEL = 'fake/4';

/** A 4-d vector from a text's length and its first and last letters. */
function vectorOf(text: string): Float32Array {
  return Float32Array.from([text.length, text.charCodeAt(0), text.charCodeAt(text.length - 1), 1]);
}

/** An embedder that records its calls; `fail` decides which texts (or whole calls) fail. */
function fakeEmbedder(fail: (texts: readonly string[]) => boolean = () => false) {
  const calls: string[][] = [];
  const model: EmbeddingModel = {
    id: MODEL,
    dimensions: 4,
    async embed(texts) {
      calls.push([...texts]);
      if (fail(texts)) throw new Error('embedder down');
      return texts.map(vectorOf);
    },
  };
  return { model, calls };
}

describe('the background vector indexer', () => {
  let stores: Stores;
  const awaiting = (id: string, content: string, createdAt = 1_000) =>
    memoryRecord({ id, content, createdAt, embeddingModel: MODEL });

  beforeEach(() => {
    stores = openSqliteStores({ path: ':memory:' });
  });
  afterEach(async () => {
    await stores.close();
  });

  it('embeds what awaits a vector in batches, oldest first, and vector search then finds it', async () => {
    const { model, calls } = fakeEmbedder();
    for (let i = 0; i < 5; i++) await stores.memories.add(awaiting(`m${i}`, `memory number ${i}`, 1_000 + i));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => model,
      logger: silentLogger,
      batch: 2,
    });
    indexer.wake();
    await indexer.idle();
    expect(calls).toEqual([
      ['memory number 0', 'memory number 1'],
      ['memory number 2', 'memory number 3'],
      ['memory number 4'],
    ]);
    expect(await stores.memories.awaitingVectors(10)).toEqual([]);
    const m3 = await stores.memories.get('m3', 'acme');
    expect(m3).toMatchObject({ embeddingModel: MODEL, embedding: vectorOf('memory number 3') });
    const hits = await stores.memories.searchVector({
      vector: vectorOf('memory number 3'),
      filter: { tenant: 'acme' },
      limit: 1,
    });
    expect(hits[0]).toMatchObject({ id: 'm3', score: expect.closeTo(1, 5) });
  });

  it('leaves a memory that was edited or forgotten while its batch was embedded', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const texts: string[][] = [];
    const model: EmbeddingModel = {
      id: MODEL,
      dimensions: 4,
      async embed(batch) {
        texts.push([...batch]);
        await gate;
        return batch.map(vectorOf);
      },
    };
    await stores.memories.add(awaiting('edited', 'old words'));
    await stores.memories.add(awaiting('gone', 'forgotten words'));
    await stores.memories.add(awaiting('kept', 'kept words'));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => model,
      logger: silentLogger,
    });
    // idle() starts the drain at once (wake() waits for a quiet moment first).
    const drained = indexer.idle();
    await until(() => texts.length === 1);
    await stores.memories.update('edited', 'acme', { content: 'new words' });
    await stores.memories.forget('gone', 'acme');
    release();
    await drained;
    // The forgotten one is not written back; the edited one is embedded again, with its new words.
    expect(await stores.memories.awaitingVectors(10)).toEqual([]);
    expect(await stores.memories.get('gone', 'acme')).toBeNull();
    expect((await stores.memories.get('kept', 'acme'))?.embedding).toEqual(vectorOf('kept words'));
    expect((await stores.memories.get('edited', 'acme'))?.embedding).toEqual(vectorOf('new words'));
    expect(texts).toEqual([['old words', 'forgotten words', 'kept words'], ['new words']]);
  });

  it('keeps the marks when the embedder is down, says so, and stops at close', async () => {
    const { model, calls } = fakeEmbedder(() => true);
    const warnings: string[] = [];
    await stores.memories.add(awaiting('m1', 'first words'));
    await stores.memories.add(awaiting('m2', 'second words'));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => model,
      logger: { ...silentLogger, warn: (message) => void warnings.push(message) },
    });
    indexer.wake();
    await indexer.idle();
    // The batch, then its first text alone: the embedder is down, not one text.
    expect(calls).toEqual([['first words', 'second words'], ['first words']]);
    expect(warnings).toEqual([expect.stringMatching(/^memory: the embedder failed .*next try in 5 s/)]);
    expect((await stores.memories.awaitingVectors(10)).map((m) => m.id)).toEqual(['m1', 'm2']);
    // Waking during the retry delay does nothing; close cancels the retry.
    indexer.wake();
    await indexer.idle();
    expect(calls).toHaveLength(2);
    await indexer.close();
  });

  it('skips a text the embedder refuses alone and embeds the others', async () => {
    const { model } = fakeEmbedder((texts) => texts.includes('poison'));
    await stores.memories.add(awaiting('m1', 'fine words', 1_000));
    await stores.memories.add(awaiting('m2', 'poison', 1_001));
    await stores.memories.add(awaiting('m3', 'more words', 1_002));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => model,
      logger: silentLogger,
    });
    indexer.wake();
    await indexer.idle();
    expect((await stores.memories.awaitingVectors(10)).map((m) => m.id)).toEqual(['m2']);
    expect((await stores.memories.get('m3', 'acme'))?.embedding).toEqual(vectorOf('more words'));
  });

  it('waits while a query embeds: recall goes first', async () => {
    const { model, calls } = fakeEmbedder();
    const foreground = createForegroundGate();
    await stores.memories.add(awaiting('m1', 'background words'));
    let finishQuery: () => void = () => {};
    const query = foreground.run(() => new Promise<void>((resolve) => (finishQuery = resolve)));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => model,
      logger: silentLogger,
      foreground,
    });
    indexer.wake();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toEqual([]);
    finishQuery();
    await query;
    await indexer.idle();
    expect(calls).toEqual([['background words']]);
  });

  it('starts by itself after a wake, once queries have been quiet for a moment', async () => {
    const { model, calls } = fakeEmbedder();
    await stores.memories.add(awaiting('m1', 'background words'));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => model,
      logger: silentLogger,
      foreground: createForegroundGate(),
    });
    indexer.wake();
    expect(calls).toEqual([]);
    await until(() => calls.length === 1);
    expect(calls).toEqual([['background words']]);
    await indexer.close();
  });

  it('does nothing for text-only memory', async () => {
    await stores.memories.add(awaiting('m1', 'words'));
    const indexer = createVectorIndexer({
      store: stores.memories,
      embedder: () => undefined,
      logger: silentLogger,
    });
    indexer.wake();
    await indexer.idle();
    expect((await stores.memories.awaitingVectors(10)).map((m) => m.id)).toEqual(['m1']);
  });
});
