import { toAgentdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EmbeddingModel } from '../models/index.js';
import type { MemoryStore, VectorRequest } from '../store/memory-store.js';

/**
 * Embeds, in the background, the memories that tasks wrote without waiting for the embedder (an
 * embedding is ~10–30 ms of CPU per text with the offline model, more than everything else a task
 * does around its model calls). The rows are written at once, so full-text search finds them
 * immediately; their vectors follow, a batch at a time, in one embedder call per batch. The mark
 * of a row that waits (a model named, no embedding) is in the database, so what a crash or a stop
 * left behind is embedded after the next start.
 */
export interface VectorIndexer {
  /** Memories were written that await a vector: embed them soon. */
  wake(): void;
  /**
   * Embeds what awaits a vector now, without waiting for a quiet moment, and resolves once nothing
   * written so far awaits one (or the indexer has stopped, or the embedder failed).
   */
  idle(): Promise<void>;
  /**
   * Embeds what is waiting for up to `timeoutMs` (default 2 s), then stops; what is left keeps its
   * mark and is embedded after the next start.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Query embeddings in flight: background work waits until there are none (recall goes first). */
export interface ForegroundGate {
  /** Runs a query's embedding, counted as in flight until it settles. */
  run<T>(work: () => Promise<T>): Promise<T>;
  /** Resolves when no query embedding is in flight. */
  clear(): Promise<void>;
  /** When a query embedding last started or ended (`performance.now()`); now while one is in flight. */
  lastActive(): number;
}

/** A gate for query embeddings (see {@link ForegroundGate}). */
export function createForegroundGate(): ForegroundGate {
  let inFlight = 0;
  let waiting: (() => void)[] = [];
  let last = Number.NEGATIVE_INFINITY;
  return {
    async run(work) {
      inFlight++;
      last = performance.now();
      try {
        return await work();
      } finally {
        last = performance.now();
        if (--inFlight === 0) {
          const wake = waiting;
          waiting = [];
          for (const resolve of wake) resolve();
        }
      }
    },
    clear() {
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve));
    },
    lastActive: () => (inFlight > 0 ? performance.now() : last),
  };
}

// Texts per embedder call: small enough that a query arriving meanwhile waits little behind it
// (one batch of 8 is ~100 ms with USE-lite), large enough to share the model's per-call cost
// (~24 ms for one text alone, ~12 ms each in a batch of 8).
const BATCH = 8;
// Background work starts once no query has embedded for QUIET_MS (the worker is then likely free
// for a while), or MAX_DELAY_MS after it was asked for, whatever the queries do.
const QUIET_MS = 50;
const MAX_DELAY_MS = 1_000;
// After an embedder failure, wait before trying again (doubling up to the maximum).
const RETRY_MS = 5_000;
const MAX_RETRY_MS = 300_000;

/** Creates the background vector indexer of a memory store. */
export function createVectorIndexer(options: {
  store: MemoryStore;
  /** The embedder (loaded on first use), or undefined for text-only memory (nothing to do). */
  embedder: () => EmbeddingModel | undefined;
  logger: Logger;
  /** Background batches wait for query embeddings in flight, and for a quiet moment after them. */
  foreground?: ForegroundGate;
  batch?: number;
}): VectorIndexer {
  const { store, embedder, logger, foreground } = options;
  const batch = options.batch ?? BATCH;
  let running: Promise<void> | undefined;
  // A drain asked for and waiting for a quiet moment, and since when it waits.
  let scheduled: ReturnType<typeof setTimeout> | undefined;
  let wokenAt = 0;
  let again = false;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let retryMs = RETRY_MS;
  // Texts the embedder refused one by one: skipped until the next start, so they cannot hold up
  // the memories behind them.
  const refused = new Set<string>();

  async function drain(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const model = embedder();
        if (!model) return;
        await foreground?.clear();
        if (stopped) return;
        const pending = (await store.awaitingVectors(batch + refused.size)).filter(
          (request) => !refused.has(request.id),
        );
        if (pending.length === 0) break;
        const requests = pending.slice(0, batch);
        if (!(await embedBatch(model, requests))) return;
        retryMs = RETRY_MS;
      }
    } while (again && !stopped);
  }

  /** Embeds and stores one batch; false when the embedder failed (a retry is scheduled). */
  async function embedBatch(model: EmbeddingModel, requests: VectorRequest[]): Promise<boolean> {
    // Apart from queries where the model can (USE-lite: a worker of its own).
    const embed = (texts: string[]) => (model.embedInBackground ?? model.embed).call(model, texts);
    let vectors: (Float32Array | undefined)[];
    try {
      vectors = await embed(requests.map((request) => request.content));
    } catch (error) {
      // A lone text that fails cannot be told from an embedder that is down: try again later.
      if (requests.length === 1) return failed(error);
      // One text of the batch may be what fails: try them one at a time, unless the first fails
      // too (then the embedder is down, and trying every text would only multiply its retries).
      vectors = [];
      for (const request of requests) {
        try {
          vectors.push((await embed([request.content]))[0]);
        } catch {
          if (vectors.every((vector) => vector === undefined)) return failed(error);
          vectors.push(undefined);
          refused.add(request.id);
        }
      }
    }
    for (const [i, request] of requests.entries()) {
      const vector = vectors[i];
      if (!vector || stopped) continue;
      // It may have been edited (and embedded again) or forgotten meanwhile: only a memory still
      // waiting with the same words takes this vector.
      const current = await store.get(request.id, request.tenant);
      if (stopped) break;
      if (!current || current.embedding || current.content !== request.content) continue;
      await store.update(request.id, request.tenant, { embedding: vector, embeddingModel: model.id });
    }
    return true;
  }

  function failed(error: unknown): false {
    const { code, message } = toAgentdError(error);
    logger.warn(
      `memory: the embedder failed (${code}): ${message}; memories written since are found by their words ` +
        `until it works again (next try in ${Math.round(retryMs / 1000)} s)`,
      { code },
    );
    if (!stopped) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        start();
      }, retryMs);
      retryTimer.unref?.();
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    }
    return false;
  }

  function wake(): void {
    if (stopped || retryTimer) return;
    if (running) {
      again = true;
      return;
    }
    if (scheduled) return;
    wokenAt = performance.now();
    wait(QUIET_MS);
  }

  /** Starts the drain once queries have been quiet for a while (or it has waited long enough). */
  function wait(ms: number): void {
    scheduled = setTimeout(() => {
      scheduled = undefined;
      const now = performance.now();
      const quietFor = now - (foreground?.lastActive() ?? Number.NEGATIVE_INFINITY);
      if (quietFor < QUIET_MS && now - wokenAt < MAX_DELAY_MS) wait(QUIET_MS - quietFor);
      else start();
    }, ms);
    scheduled.unref?.();
  }

  function start(): void {
    if (scheduled) clearTimeout(scheduled);
    scheduled = undefined;
    // After a failure, only the retry timer starts it again.
    if (stopped || running || retryTimer) return;
    running = drain()
      .catch((error: unknown) => {
        if (stopped) return;
        const { code, message } = toAgentdError(error);
        logger.warn(`memory: background indexing stopped (${code}): ${message}`, { code });
      })
      .finally(() => {
        running = undefined;
      });
  }

  return {
    wake,
    async idle() {
      if (!running) start();
      while (running) await running;
    },
    async close({ timeoutMs = 2_000 } = {}) {
      if (scheduled) start();
      if (running) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          running,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, timeoutMs);
          }),
        ]);
        clearTimeout(timer);
      }
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      // A batch still in flight writes nothing once it returns (it checks `stopped`).
    },
  };
}
