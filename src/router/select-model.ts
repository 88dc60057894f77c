import { AgentdError } from '../core/errors.js';
import '../models/model-error-codes.js';
import './router-error-codes.js';
import { priceUsage } from '../models/index.js';
import type { ModelCapabilities, ModelInfo } from '../models/index.js';
import type { ModelKnowledge } from './model-knowledge.js';
import type { QualityEstimate, QualityPrior } from './posterior.js';
import type { Random } from './random.js';
import type { Objective, RouteConstraints, RouterConfig } from './router-config.js';

/** One call's routing question. */
export interface SelectionRequest {
  kind: string;
  /** Capabilities the call needs. */
  needs: Partial<ModelCapabilities>;
  /** Input tokens (an upper bound is fine) and the output cap: both must fit the context window. */
  inputTokens: number;
  maxOutputTokens: number;
  constraints: RouteConstraints;
  objective: Objective;
  /** A model the agent pinned: tried first, the others are its fallbacks. */
  pinned?: string | undefined;
  /** Models not to pick (e.g. rejected earlier in a cascade). */
  exclude?: readonly string[] | undefined;
  /** Whether this call may rank by sampled quality (Thompson sampling) rather than the mean. */
  explore: boolean;
}

/** What selection needs besides the request. */
export interface SelectionContext {
  candidates: readonly ModelInfo[];
  knowledge: ModelKnowledge;
  config: Pick<RouterConfig, 'weights' | 'expectedOutputTokens' | 'fallbacks'> & {
    learning: Pick<RouterConfig['learning'], 'priorStrength' | 'defaultQuality'>;
  };
  random: Random;
  /** False while the model's or its provider's circuit is open. */
  available(info: ModelInfo): boolean;
}

/** How one candidate fared. */
export interface CandidateScore {
  id: string;
  /** Meets every constraint (on the quality the pick used). */
  feasible: boolean;
  /** Why it cannot be picked, or which constraint it misses. */
  excluded?: string;
  quality: QualityEstimate;
  /** The Thompson draw, when the call explored. */
  sampledQuality?: number;
  /** Estimated cost of this call, USD. */
  costUsd: number;
  p95Ms?: number;
  /** The objective's score (higher is better); for `cheapest`, minus the cost. */
  score: number;
}

/** The router's answer: the models to try in order, and why. */
export interface Selection {
  /** The chosen model first, then its fallbacks. */
  order: string[];
  candidates: CandidateScore[];
  explored: boolean;
  /** Constraints that no candidate met and that were relaxed to pick one (only `minQuality`). */
  relaxed: string[];
  reason: string;
}

interface Row {
  info: ModelInfo;
  score: CandidateScore;
  /** Fails a hard constraint (capability, context, availability, cost, latency, exclusion). */
  blocked: boolean;
  meanOk: boolean;
  sampleOk: boolean;
  p95: number;
}

/**
 * Picks the models for a call: filters candidates by capabilities, context window, availability,
 * cost and latency; checks `minQuality` against the posterior mean (or, when exploring, a
 * Thompson draw); ranks the rest by the objective. Pure apart from the random draws.
 */
export function selectModel(request: SelectionRequest, context: SelectionContext): Selection {
  const { knowledge, config, random } = context;
  const { constraints, objective } = request;
  const explore = request.explore && request.pinned === undefined;
  const expectedOutput = (info: ModelInfo) =>
    Math.min(request.maxOutputTokens, knowledge.meanOutputTokens(info.id) ?? config.expectedOutputTokens);

  const min = constraints.minQuality ?? 0;
  const rows: Row[] = [];
  for (const info of context.candidates) {
    const prior: QualityPrior = {
      quality: info.quality?.[request.kind] ?? info.quality?.default ?? config.learning.defaultQuality,
      strength: config.learning.priorStrength,
    };
    const quality = knowledge.quality(info.id, request.kind, prior);
    // The estimate uses the one pricing formula; only the cost meter charges a call.
    const costUsd = priceUsage(info, {
      inputTokens: request.inputTokens,
      outputTokens: expectedOutput(info),
    });
    const p95 = knowledge.latency(info.id)?.p95Ms;
    const score: CandidateScore = { id: info.id, feasible: false, quality, costUsd, score: 0 };
    if (p95 !== undefined) score.p95Ms = p95;
    const blockedBy = hardExclusion(info, request, costUsd, p95, context);
    if (blockedBy) score.excluded = blockedBy;
    const row: Row = {
      info,
      score,
      blocked: blockedBy !== undefined,
      meanOk: false,
      sampleOk: false,
      p95: p95 ?? 0,
    };
    if (!row.blocked) {
      row.meanOk = quality.mean >= min;
      if (explore) {
        score.sampledQuality = knowledge.sampleQuality(info.id, request.kind, prior, random);
        row.sampleOk = score.sampledQuality >= min;
      }
    }
    rows.push(row);
  }

  const open = rows.filter((r) => !r.blocked);
  if (open.length === 0) throw noCandidate(request, rows);
  const scale = scales(open);
  const rank = (list: Row[], sampled: boolean) => {
    for (const row of list) {
      const q = sampled ? (row.score.sampledQuality ?? row.score.quality.mean) : row.score.quality.mean;
      row.score.score = objectiveScore(objective, q, row, scale, config.weights);
    }
    return [...list].sort(
      (a, b) =>
        b.score.score - a.score.score ||
        a.score.costUsd - b.score.costUsd ||
        a.info.id.localeCompare(b.info.id),
    );
  };

  const relaxed: string[] = [];
  let explored = false;
  let reason: string;
  let meanRanked = rank(
    open.filter((r) => r.meanOk),
    false,
  );
  if (meanRanked.length === 0) {
    // Nobody is expected to reach minQuality: take the best expected quality rather than fail.
    relaxed.push('minQuality');
    meanRanked = [...open].sort(
      (a, b) => b.score.quality.mean - a.score.quality.mean || a.score.costUsd - b.score.costUsd,
    );
  }
  let order = meanRanked.map((r) => r.info.id);
  const pinned = request.pinned === undefined ? undefined : rows.find((r) => r.info.id === request.pinned);
  if (pinned && !pinned.blocked) {
    order = pinnedOrder(pinned.info, order, rows, config.fallbacks[pinned.info.id] ?? []);
    reason = `pinned by the agent; fallbacks ranked by ${objective}`;
  } else {
    reason = pinned
      ? `pinned model ${pinned.info.id} unavailable (${pinned.score.excluded}); picked by ${objective}`
      : `${objective} of ${meanRanked.length} candidate(s) meeting the constraints`;
    if (relaxed.length > 0)
      reason = `no candidate expected to reach minQuality ${constraints.minQuality}; picked the highest expected quality`;
    if (explore) {
      const sampled = rank(
        open.filter((r) => r.sampleOk),
        true,
      )[0];
      if (sampled && sampled.info.id !== order[0]) {
        explored = true;
        reason = `explored: its sampled quality ${sampled.score.sampledQuality?.toFixed(2)} ranks it first by ${objective} (the mean pick was ${order[0]})`;
        order = [sampled.info.id, ...order.filter((id) => id !== sampled.info.id)];
      }
      // Scores shown are those of the ranking that made the pick.
      if (!explored) rank(open, false);
    }
  }
  for (const row of rows) {
    if (row.blocked) continue;
    row.score.feasible = explored ? row.sampleOk : row.meanOk || relaxed.length > 0;
    if (!row.score.feasible) {
      const q = explored ? (row.score.sampledQuality ?? 0) : row.score.quality.mean;
      row.score.excluded = `${explored ? 'sampled' : 'expected'} quality ${q.toFixed(2)} < minQuality ${min}`;
    }
  }
  return { order, candidates: rows.map((r) => r.score), explored, relaxed, reason };
}

function hardExclusion(
  info: ModelInfo,
  request: SelectionRequest,
  costUsd: number,
  p95: number | undefined,
  context: SelectionContext,
): string | undefined {
  if (request.exclude?.includes(info.id)) return 'rejected earlier for this answer';
  if (!context.available(info)) return 'circuit open';
  // Simulated models claim every capability so that dry runs are never routed away.
  for (const need of ['tools', 'json', 'vision'] as const) {
    if (request.needs[need] && !info.capabilities[need] && !info.simulated) return `no ${need} support`;
  }
  // An unknown model's window is a guess; its provider's own error is the better judge.
  const needed = request.inputTokens + request.maxOutputTokens;
  if (info.known && needed > info.contextWindow)
    return `context window ${info.contextWindow} < ${needed} tokens needed`;
  const { maxCostUsd, maxLatencyMs } = request.constraints;
  if (maxCostUsd !== undefined && costUsd > maxCostUsd)
    return `estimated cost $${costUsd.toPrecision(3)} > maxCostUsd $${maxCostUsd}`;
  if (maxLatencyMs !== undefined && p95 !== undefined && p95 > maxLatencyMs)
    return `p95 latency ${Math.round(p95)} ms > maxLatencyMs ${maxLatencyMs}`;
  return undefined;
}

interface Scale {
  minCost: number;
  logCostRange: number;
  maxP95: number;
}

// Costs span orders of magnitude between models, so `balanced` compares them on a log scale;
// free models are floored at a millionth of a cent so that the log stays finite.
const COST_FLOOR = 1e-8;

function scales(rows: readonly Row[]): Scale {
  let minCost = Infinity;
  let maxCost = 0;
  let maxP95 = 0;
  for (const row of rows) {
    const cost = Math.max(row.score.costUsd, COST_FLOOR);
    if (cost < minCost) minCost = cost;
    if (cost > maxCost) maxCost = cost;
    if (row.p95 > maxP95) maxP95 = row.p95;
  }
  return { minCost, logCostRange: Math.log(maxCost / minCost), maxP95 };
}

function objectiveScore(
  objective: Objective,
  quality: number,
  row: Row,
  scale: Scale,
  weights: RouterConfig['weights'],
): number {
  if (objective === 'cheapest') return -row.score.costUsd;
  if (objective === 'best') return quality;
  const cost =
    scale.logCostRange > 0
      ? Math.log(Math.max(row.score.costUsd, COST_FLOOR) / scale.minCost) / scale.logCostRange
      : 0;
  const latency = scale.maxP95 > 0 ? row.p95 / scale.maxP95 : 0;
  return weights.quality * quality - weights.cost * cost - weights.latency * latency;
}

/** A pinned model first, then the same model at other providers, configured fallbacks, the rest. */
function pinnedOrder(
  pinned: ModelInfo,
  ranked: string[],
  rows: readonly Row[],
  configured: readonly string[],
): string[] {
  const usable = new Set(rows.filter((r) => !r.blocked).map((r) => r.info.id));
  const sameModel = rows
    .filter((r) => !r.blocked && r.info.id !== pinned.id && r.info.model === pinned.model)
    .map((r) => r.info.id);
  const order = [pinned.id, ...sameModel, ...configured.filter((id) => usable.has(id)), ...ranked];
  return [...new Set(order)];
}

function noCandidate(request: SelectionRequest, rows: readonly Row[]): AgentdError {
  const reasons = rows.map((r) => `${r.info.id}: ${r.score.excluded}`);
  const open = rows.filter((r) => r.score.excluded === 'circuit open').map((r) => r.info.id);
  if (open.length > 0 && open.length === rows.length) {
    // Every model that could take the call is failing right now: an upstream outage, not a config error.
    return new AgentdError({
      code: 'model.circuit_open',
      message: `every model that could take this call has an open circuit after repeated failures (${open.join(', ')}); they are probed again after router.breaker.halfOpenAfterMs`,
      details: { kind: request.kind, models: open },
    });
  }
  return new AgentdError({
    code: 'router.no_candidate',
    message:
      rows.length === 0
        ? 'no model is available: configure a provider'
        : `no model meets this call's requirements (kind ${request.kind}): ${reasons.slice(0, 8).join('; ')}${reasons.length > 8 ? '; …' : ''}`,
    details: { kind: request.kind, reasons },
  });
}
