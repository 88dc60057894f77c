import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { CheckSpecSchema } from './check-spec.js';

/** One thing a judge scores, 0–1; `weight` is its share of the weighted score. */
export const CriterionSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  weight: z.number().positive().default(1),
});

/** A few-shot calibration example: an output and the scores a careful judge gives it, with why. */
export const RubricExampleSchema = z.strictObject({
  input: z.string(),
  output: z.string(),
  scores: z.record(z.string(), z.number().min(0).max(1)),
  why: z.string().min(1),
});

/** A rubric: criteria, the weighted score needed to pass, calibration examples and deterministic checks. */
export const RubricSchema = z
  .strictObject({
    name: z.string().min(1),
    description: z.string().min(1).optional(),
    criteria: z.array(CriterionSchema).min(1),
    /** The weighted score (0–1) needed to pass. */
    threshold: z.number().min(0).max(1).default(0.7),
    examples: z.array(RubricExampleSchema).optional(),
    /** Run before any judge model; a failed check rejects on its own. */
    checks: z.array(CheckSpecSchema).optional(),
    /** The rubric may gate (reject work) only once calibrated against human labels to at least this κ. */
    requireCalibration: z.strictObject({ kappa: z.number().min(-1).max(1) }).optional(),
  })
  .superRefine((rubric, ctx) => {
    const names = new Set<string>();
    rubric.criteria.forEach((criterion, index) => {
      if (names.has(criterion.name)) {
        ctx.addIssue({
          code: 'custom',
          message: `criterion '${criterion.name}' is defined twice`,
          path: ['criteria', index, 'name'],
        });
      }
      names.add(criterion.name);
    });
    rubric.examples?.forEach((example, index) => {
      for (const criterion of Object.keys(example.scores)) {
        if (!names.has(criterion)) {
          ctx.addIssue({
            code: 'custom',
            message: `scores criterion '${criterion}', which the rubric does not define`,
            path: ['examples', index, 'scores', criterion],
          });
        }
      }
    });
  });

/** A rubric as validated (defaults applied). */
export type Rubric = z.infer<typeof RubricSchema>;
/** A rubric as written (defaults not yet applied). */
export type RubricInput = z.input<typeof RubricSchema>;
/** One criterion of a rubric. */
export type Criterion = z.infer<typeof CriterionSchema>;
/** One calibration example of a rubric. */
export type RubricExample = z.infer<typeof RubricExampleSchema>;

/** The rubric's version: the sha256 (hex) of its file's bytes, stored with every verdict. */
export function rubricHash(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

// Weighted scores are sums of floats: 0.7 may come out as 0.6999999999999998, which must still pass 0.7.
const TOLERANCE = 1e-9;

/** Whether `score` reaches `threshold`, allowing for floating-point rounding. */
export function meetsThreshold(score: number, threshold: number): boolean {
  return score >= threshold - TOLERANCE;
}

/**
 * The weighted mean of the criteria's scores: Σ weight·score / Σ weight. Every criterion needs a score in
 * 0–1 (`judge.missing_criterion`, `judge.invalid_score`); scores of other names are ignored.
 */
export function weightedScore(
  rubric: Pick<Rubric, 'criteria'>,
  scores: Readonly<Record<string, number>>,
): number {
  let total = 0;
  let weights = 0;
  const missing: string[] = [];
  for (const criterion of rubric.criteria) {
    const score = scores[criterion.name];
    if (score === undefined) {
      missing.push(criterion.name);
      continue;
    }
    if (!Number.isFinite(score) || score < 0 || score > 1) {
      throw new AgentdError({
        code: 'judge.invalid_score',
        message: `score of '${criterion.name}' is ${score}; scores are from 0 to 1`,
      });
    }
    total += criterion.weight * score;
    weights += criterion.weight;
  }
  if (missing.length > 0) {
    throw new AgentdError({
      code: 'judge.missing_criterion',
      // Declared upstream for a judge model's answer (verdict.ts); scores passed in here are the caller's.
      category: 'invalid',
      message: `no score for ${missing.map((name) => `'${name}'`).join(', ')}`,
      details: { missing },
    });
  }
  return total / weights;
}
