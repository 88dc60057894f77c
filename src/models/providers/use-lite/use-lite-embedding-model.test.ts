import { describe, expect, it } from 'vitest';
import { createUseLiteEmbeddingModel } from './use-lite-embedding-model.js';

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

describe('USE-lite embeddings (offline, in a worker thread)', () => {
  it('embeds texts into 512 dimensions where paraphrases are closer than unrelated texts', async () => {
    const model = createUseLiteEmbeddingModel();
    expect(model).toMatchObject({ id: 'use-lite/en-512', dimensions: 512 });
    const [cat, feline, stocks, empty] = await model.embed([
      'The cat sat on the mat',
      'A feline rested on the rug',
      'Stock prices fell sharply today',
      '',
    ]);
    for (const v of [cat, feline, stocks, empty]) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(512);
      expect(v!.every(Number.isFinite)).toBe(true);
    }
    expect(cosine(cat!, feline!)).toBeGreaterThan(cosine(cat!, stocks!) + 0.3);
    expect(await model.embed([])).toEqual([]);
    // Deterministic: the same text gives the same vector.
    const [again] = await model.embed(['The cat sat on the mat']);
    expect(cosine(cat!, again!)).toBeCloseTo(1, 5);
  }, 30_000);

  it('loads ahead of use with warm, and embeds the same afterwards', async () => {
    const model = createUseLiteEmbeddingModel();
    await model.warm?.();
    await model.warm?.();
    const [vector] = await model.embed(['warmed up']);
    expect(vector).toHaveLength(512);
  }, 30_000);

  it('embeds more texts than one batch, in order', async () => {
    const model = createUseLiteEmbeddingModel();
    const texts = Array.from({ length: 70 }, (_, i) =>
      i === 69 ? 'the last one is about volcanoes' : `note ${i}`,
    );
    const vectors = await model.embed(texts);
    expect(vectors).toHaveLength(70);
    const [volcano] = await model.embed(['the last one is about volcanoes']);
    expect(cosine(vectors[69]!, volcano!)).toBeCloseTo(1, 5);
  }, 30_000);

  it('embeds off the main thread: the event loop keeps turning while a batch is embedded', async () => {
    const model = createUseLiteEmbeddingModel();
    await model.embed(['warm up']);
    // On the main thread, TensorFlow.js computes a batch synchronously: not one turn of the event
    // loop passes until it is done (0 measured). In the worker, the loop turns freely meanwhile.
    let turns = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    await model.embed(Array.from({ length: 64 }, (_, i) => `sentence ${i} about tides and the moon`));
    done = true;
    expect(turns).toBeGreaterThan(10);
  }, 30_000);
});
