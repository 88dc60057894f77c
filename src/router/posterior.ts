import type { Random } from './random.js';
import { sampleBeta, sampleNormal } from './random.js';

/** The evidence about one model's quality on one task kind (pass/fail weights and score moments). */
export interface QualityEvidence {
  passes: number;
  fails: number;
  scoreCount: number;
  scoreMean: number;
  scoreM2: number;
}

/** Which posterior ranks quality: Beta over pass/fail, or Gaussian over scores. */
export type PosteriorKind = 'beta' | 'gaussian';

/** A quality estimate: posterior mean, a 90% credible interval, and how many observations back it. */
export interface QualityEstimate {
  mean: number;
  low: number;
  high: number;
  observations: number;
}

/** The prior: the catalog's quality for the model and kind, weighted as `strength` observations. */
export interface QualityPrior {
  quality: number;
  strength: number;
}

/** Evidence with nothing observed yet. */
export function emptyEvidence(): QualityEvidence {
  return { passes: 0, fails: 0, scoreCount: 0, scoreMean: 0, scoreM2: 0 };
}

/**
 * Adds one observation. A pass/fail counts 1 or 0 as a score; a score in 0–1 adds fractional
 * pass/fail weights (the usual Beta update for bounded rewards), so both posteriors see every
 * observation and the posterior kind can change without losing evidence.
 */
export function addObservation(
  evidence: QualityEvidence,
  observation: { pass: boolean } | { score: number },
): void {
  const score = 'pass' in observation ? (observation.pass ? 1 : 0) : clamp01(observation.score);
  evidence.passes += score;
  evidence.fails += 1 - score;
  // Welford's online mean and squared deviations.
  evidence.scoreCount += 1;
  const delta = score - evidence.scoreMean;
  evidence.scoreMean += delta / evidence.scoreCount;
  evidence.scoreM2 += delta * (score - evidence.scoreMean);
}

// The prior's spread for the Gaussian posterior: a standard deviation of 0.2 on a 0–1 score.
const PRIOR_VARIANCE = 0.04;
const Z90 = 1.6449;

/** The posterior mean and 90% interval (normal approximation, clamped to 0–1). */
export function estimateQuality(
  kind: PosteriorKind,
  evidence: QualityEvidence,
  prior: QualityPrior,
): QualityEstimate {
  const { mean, variance } = moments(kind, evidence, prior);
  const spread = Z90 * Math.sqrt(variance);
  return {
    mean,
    low: clamp01(mean - spread),
    high: clamp01(mean + spread),
    observations: evidence.scoreCount,
  };
}

/** One Thompson draw of the quality from the posterior. */
export function sampleQuality(
  kind: PosteriorKind,
  evidence: QualityEvidence,
  prior: QualityPrior,
  random: Random,
): number {
  if (kind === 'beta') {
    const { alpha, beta } = betaParameters(evidence, prior);
    return sampleBeta(alpha, beta, random);
  }
  const { mean, variance } = moments(kind, evidence, prior);
  return clamp01(mean + Math.sqrt(variance) * sampleNormal(random));
}

function betaParameters(evidence: QualityEvidence, prior: QualityPrior): { alpha: number; beta: number } {
  // A prior of exactly 0 or 1 would make a degenerate Beta; keep it strictly inside.
  const q = Math.min(Math.max(prior.quality, 0.001), 0.999);
  return { alpha: q * prior.strength + evidence.passes, beta: (1 - q) * prior.strength + evidence.fails };
}

function moments(
  kind: PosteriorKind,
  evidence: QualityEvidence,
  prior: QualityPrior,
): { mean: number; variance: number } {
  if (kind === 'beta') {
    const { alpha, beta } = betaParameters(evidence, prior);
    const total = alpha + beta;
    return { mean: alpha / total, variance: (alpha * beta) / (total * total * (total + 1)) };
  }
  // Normal mean with the prior as `strength` pseudo-observations at the catalog quality; the
  // score variance pools the prior's spread with the observed squared deviations.
  const n = evidence.scoreCount;
  const k = prior.strength;
  const mean = (k * prior.quality + n * evidence.scoreMean) / (k + n);
  const scoreVariance = (k * PRIOR_VARIANCE + evidence.scoreM2) / (k + n);
  return { mean, variance: scoreVariance / (k + n) };
}

function clamp01(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}
