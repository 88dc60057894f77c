import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { meetsThreshold } from './rubric.js';
import type { Vote } from './verdict.js';

/** How a panel's votes become one verdict. */
export const ConsensusStrategySchema = z.enum([
  'mean',
  'median',
  'majority',
  'unanimous',
  'min',
  'reliability-weighted',
]);

/** A consensus strategy. */
export type ConsensusStrategy = z.infer<typeof ConsensusStrategySchema>;

/** The part of a vote consensus reads. */
export type ConsensusVote = Pick<Vote, 'judge' | 'score' | 'pass'>;

/** How to combine votes. */
export interface ConsensusOptions {
  strategy: ConsensusStrategy;
  /** The score needed to pass, for the score-combining strategies (mean, median, min, reliability-weighted). */
  threshold: number;
  /** reliability-weighted: per judge, e.g. max(κ, 0) from calibration; missing or negative counts as 0. */
  weights?: Readonly<Record<string, number>>;
}

/** A panel's verdict. */
export interface Consensus {
  strategy: ConsensusStrategy;
  score: number;
  pass: boolean;
  /** The share of votes whose pass/fail matches the consensus (1 = everyone agreed). */
  agreement: number;
  /** Set when reliability-weighted had no positive weight and used the plain mean instead. */
  fallback?: 'mean';
}

/**
 * Combines votes into one verdict.
 * - mean, median, min: combine the votes' weighted scores, then compare with `threshold`.
 * - majority: passes when more than half the votes pass; the score is the share passing.
 * - unanimous: passes when every vote passes; the score is the lowest.
 * - reliability-weighted: Σ wᵢ·scoreᵢ / Σ wᵢ compared with `threshold`; the plain mean when no wᵢ > 0.
 * majority and unanimous use each vote's own pass (the rubric's threshold), not `threshold`.
 */
export function consensus(votes: readonly ConsensusVote[], options: ConsensusOptions): Consensus {
  if (votes.length === 0) {
    throw new AgentdError({ code: 'judge.no_votes', message: 'consensus needs at least one vote' });
  }
  const scores = votes.map((vote) => vote.score);
  const passing = votes.filter((vote) => vote.pass).length;
  let score: number;
  let pass: boolean;
  let fallback: 'mean' | undefined;
  switch (options.strategy) {
    case 'mean':
      score = mean(scores);
      pass = meetsThreshold(score, options.threshold);
      break;
    case 'median':
      score = median(scores);
      pass = meetsThreshold(score, options.threshold);
      break;
    case 'min':
      score = Math.min(...scores);
      pass = meetsThreshold(score, options.threshold);
      break;
    case 'majority':
      score = passing / votes.length;
      pass = passing * 2 > votes.length;
      break;
    case 'unanimous':
      score = Math.min(...scores);
      pass = passing === votes.length;
      break;
    case 'reliability-weighted': {
      const weights = votes.map((vote) => Math.max(options.weights?.[vote.judge] ?? 0, 0));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      if (total > 0) {
        score = votes.reduce((sum, vote, i) => sum + vote.score * (weights[i] ?? 0), 0) / total;
      } else {
        // Uncalibrated judges are trusted equally rather than not at all.
        score = mean(scores);
        fallback = 'mean';
      }
      pass = meetsThreshold(score, options.threshold);
      break;
    }
  }
  const agreement = votes.filter((vote) => vote.pass === pass).length / votes.length;
  return { strategy: options.strategy, score, pass, agreement, ...(fallback ? { fallback } : {}) };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] as number;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] as number) + upper) / 2;
}
