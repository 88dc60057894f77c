import type { RouterStatRecord } from '../store/router-store.js';
import { addObservation, estimateQuality, sampleQuality } from './posterior.js';
import type { PosteriorKind, QualityEstimate, QualityPrior } from './posterior.js';
import type { Random } from './random.js';

/** The record kind that holds a model's statistics over every task kind. */
export const ALL_KINDS = '*';

/** Observed latency of a model over its recent calls. */
export interface LatencyEstimate {
  ewmaMs: number;
  p50Ms: number;
  p95Ms: number;
  samples: number;
}

/** Options of {@link createModelKnowledge}. */
export interface ModelKnowledgeOptions {
  posterior: PosteriorKind;
  latencyAlpha: number;
  latencyWindow: number;
  now: () => number;
}

/** What the router knows of each model, per task kind: quality evidence, latency, errors, spend. */
export interface ModelKnowledge {
  /** Replaces what is known with stored records (at start-up). */
  load(records: readonly RouterStatRecord[]): void;
  /** Every record, model-wide (`*`) ones included. */
  records(): RouterStatRecord[];
  /** Records changed since the last call, to persist. */
  takeChanged(): RouterStatRecord[];
  quality(modelId: string, kind: string, prior: QualityPrior): QualityEstimate;
  sampleQuality(modelId: string, kind: string, prior: QualityPrior, random: Random): number;
  /** Latency over the model's recent calls (all kinds), or undefined before its first call. */
  latency(modelId: string): LatencyEstimate | undefined;
  /** Mean output tokens of the model's calls, or undefined before its first call. */
  meanOutputTokens(modelId: string): number | undefined;
  /** The p95 of the model's recent output lengths on `kind`, or undefined before its first call on it. */
  expectedOutputTokens(modelId: string, kind: string): number | undefined;
  recordCall(call: {
    modelId: string;
    kind: string;
    latencyMs: number;
    costUsd: number;
    inputTokens: number;
    outputTokens: number;
    /** The provider reported more output than the call's `max_tokens`. */
    overMaxTokens?: boolean;
  }): void;
  recordError(call: { modelId: string; kind: string }): void;
  recordQuality(
    observation: { modelId: string; kind: string } & ({ pass: boolean } | { score: number }),
  ): void;
}

/** In-memory knowledge, loaded from and persisted to the RouterStore by the router. */
export function createModelKnowledge(options: ModelKnowledgeOptions): ModelKnowledge {
  // model → kind → record: two Map lookups, no key strings built per decision.
  const byModel = new Map<string, Map<string, RouterStatRecord>>();
  const latencyCache = new Map<string, LatencyEstimate>();
  /** p95 output tokens by model, then kind; dropped for a model when it records a call. */
  const outputCache = new Map<string, Map<string, number>>();
  const changed = new Set<RouterStatRecord>();

  function find(modelId: string, kind: string): RouterStatRecord | undefined {
    return byModel.get(modelId)?.get(kind);
  }

  function touch(modelId: string, kind: string): RouterStatRecord {
    let kinds = byModel.get(modelId);
    if (!kinds) byModel.set(modelId, (kinds = new Map()));
    let record = kinds.get(kind);
    if (!record) kinds.set(kind, (record = emptyRecord(modelId, kind, options.now())));
    record.updatedAt = options.now();
    changed.add(record);
    return record;
  }

  function addLatency(record: RouterStatRecord, latencyMs: number): void {
    record.latencyEwmaMs =
      record.latencyEwmaMs === null
        ? latencyMs
        : record.latencyEwmaMs + options.latencyAlpha * (latencyMs - record.latencyEwmaMs);
    record.latencySamplesMs.push(latencyMs);
    if (record.latencySamplesMs.length > options.latencyWindow) record.latencySamplesMs.shift();
  }

  return {
    load(records) {
      byModel.clear();
      latencyCache.clear();
      outputCache.clear();
      for (const record of records) {
        let kinds = byModel.get(record.modelId);
        if (!kinds) byModel.set(record.modelId, (kinds = new Map()));
        kinds.set(record.kind, copy(record));
      }
    },
    records: () => [...byModel.values()].flatMap((kinds) => [...kinds.values()]).map(copy),
    takeChanged() {
      const list = [...changed].map(copy);
      changed.clear();
      return list;
    },
    quality(modelId, kind, prior) {
      return estimateQuality(options.posterior, find(modelId, kind) ?? EMPTY, prior);
    },
    sampleQuality(modelId, kind, prior, random) {
      return sampleQuality(options.posterior, find(modelId, kind) ?? EMPTY, prior, random);
    },
    latency(modelId) {
      const cached = latencyCache.get(modelId);
      if (cached) return cached;
      const record = find(modelId, ALL_KINDS);
      if (!record || record.latencyEwmaMs === null || record.latencySamplesMs.length === 0) return undefined;
      const sorted = [...record.latencySamplesMs].sort((a, b) => a - b);
      const estimate = {
        ewmaMs: record.latencyEwmaMs,
        p50Ms: quantile(sorted, 0.5),
        p95Ms: quantile(sorted, 0.95),
        samples: sorted.length,
      };
      latencyCache.set(modelId, estimate);
      return estimate;
    },
    meanOutputTokens(modelId) {
      const record = find(modelId, ALL_KINDS);
      return record && record.calls > 0 ? record.outputTokens / record.calls : undefined;
    },
    expectedOutputTokens(modelId, kind) {
      // The kind's own outputs only: a model's answers to another kind of task say little of these.
      const cached = outputCache.get(modelId)?.get(kind);
      if (cached !== undefined) return cached;
      const record = find(modelId, kind);
      if (!record || record.outputTokenSamples.length === 0) return undefined;
      const p95 = quantile(
        [...record.outputTokenSamples].sort((a, b) => a - b),
        0.95,
      );
      let kinds = outputCache.get(modelId);
      if (!kinds) outputCache.set(modelId, (kinds = new Map()));
      kinds.set(kind, p95);
      return p95;
    },
    recordCall(call) {
      for (const kind of kindsOf(call.kind)) {
        const record = touch(call.modelId, kind);
        record.calls += 1;
        record.costUsd += call.costUsd;
        record.inputTokens += call.inputTokens;
        record.outputTokens += call.outputTokens;
        if (call.overMaxTokens === true) record.overMaxTokensCalls += 1;
        record.outputTokenSamples.push(call.outputTokens);
        if (record.outputTokenSamples.length > options.latencyWindow) record.outputTokenSamples.shift();
        addLatency(record, call.latencyMs);
      }
      latencyCache.delete(call.modelId);
      outputCache.delete(call.modelId);
    },
    recordError(call) {
      for (const kind of kindsOf(call.kind)) touch(call.modelId, kind).errors += 1;
    },
    recordQuality(observation) {
      addObservation(touch(observation.modelId, observation.kind), observation);
    },
  };
}

const EMPTY: Readonly<RouterStatRecord> = Object.freeze(emptyRecord('', '', 0));

function kindsOf(kind: string): string[] {
  return kind === ALL_KINDS ? [ALL_KINDS] : [kind, ALL_KINDS];
}

function emptyRecord(modelId: string, kind: string, now: number): RouterStatRecord {
  return {
    modelId,
    kind,
    calls: 0,
    errors: 0,
    passes: 0,
    fails: 0,
    scoreCount: 0,
    scoreMean: 0,
    scoreM2: 0,
    latencyEwmaMs: null,
    latencySamplesMs: [],
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    outputTokenSamples: [],
    overMaxTokensCalls: 0,
    updatedAt: now,
  };
}

function copy(record: RouterStatRecord): RouterStatRecord {
  return {
    ...record,
    latencySamplesMs: [...record.latencySamplesMs],
    outputTokenSamples: [...record.outputTokenSamples],
  };
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] as number;
}
