import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';

/** The fewest verdicts a pair of judges must share before their correlation is trusted. */
export const MIN_SHARED_VERDICTS = 3;

/** How many independent votes a panel is worth. */
export interface EffectiveVotes {
  /** The number of judges. */
  judges: number;
  /** n_eff, from 1 (all judges say the same) to `judges` (uncorrelated judges). */
  nEff: number;
  /** ρ̄, the mean pairwise correlation before clamping; undefined when it could not be estimated. */
  meanCorrelation?: number;
  /** False when n_eff is just the number of judges because the history could not tell (see `reason`). */
  estimated: boolean;
  reason?: string;
}

/**
 * The panel's effective number of independent votes, from past verdicts (rows) of its judges (columns):
 *
 *   n_eff = n / (1 + (n − 1)·ρ̄)
 *
 * where ρ̄ is the mean pairwise Pearson correlation of the judges' scores, clamped to [0, 1]. This is the
 * design effect of averaging n equally correlated votes: the mean of n votes with variance σ² and pairwise
 * correlation ρ has variance σ²·(1 + (n − 1)ρ)/n, the variance of the mean of n_eff independent ones.
 *
 * A judge without a score in a verdict is NaN there; each pair uses the verdicts both scored. A pair with
 * fewer than MIN_SHARED_VERDICTS of those, or where either judge never varies, has no correlation and is
 * left out; when no pair has one, n_eff is n and `estimated` is false.
 *
 * Scores correlate through the items' real quality as well as through shared errors, so on raw scores n_eff
 * measures how redundant the judges are, not how independent their mistakes are. Give `truth` (one known
 * score per row, e.g. human labels from calibration) to correlate the errors (score − truth) instead.
 */
export function effectiveVotes(
  history: readonly (readonly number[])[],
  options: { judges?: number; truth?: readonly number[] } = {},
): EffectiveVotes {
  const n = options.judges ?? history[0]?.length ?? 0;
  history.forEach((row, index) => {
    if (row.length !== n) {
      throw new AgentdError({
        code: 'judge.invalid_history',
        message: `verdict ${index} has ${row.length} scores for ${n} judges`,
      });
    }
  });
  if (options.truth !== undefined && options.truth.length !== history.length) {
    throw new AgentdError({
      code: 'judge.invalid_history',
      message: `truth has ${options.truth.length} values for ${history.length} verdicts`,
    });
  }
  if (n <= 1)
    return { judges: n, nEff: n, estimated: false, reason: n === 1 ? 'a single judge' : 'no judges' };
  if (history.length < MIN_SHARED_VERDICTS) {
    return {
      judges: n,
      nEff: n,
      estimated: false,
      reason: `fewer than ${MIN_SHARED_VERDICTS} past verdicts`,
    };
  }
  const rows = options.truth === undefined ? history : residuals(history, options.truth);

  const correlations: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const r = pearson(rows, i, j);
      if (r !== undefined) correlations.push(r);
    }
  }
  if (correlations.length === 0) {
    return {
      judges: n,
      nEff: n,
      estimated: false,
      reason: `no two judges share ${MIN_SHARED_VERDICTS} verdicts with varying scores`,
    };
  }
  const meanCorrelation = correlations.reduce((sum, r) => sum + r, 0) / correlations.length;
  // Negative mean correlation would give n_eff > n: more independence than independent votes, which is noise.
  const rho = Math.min(Math.max(meanCorrelation, 0), 1);
  return { judges: n, nEff: n / (1 + (n - 1) * rho), meanCorrelation, estimated: true };
}

function residuals(history: readonly (readonly number[])[], truth: readonly number[]): number[][] {
  return history.map((row, index) => row.map((score) => score - (truth[index] ?? Number.NaN)));
}

/** Pearson's r of columns i and j over the rows where both are finite; undefined when it is not defined. */
function pearson(rows: readonly (readonly number[])[], i: number, j: number): number | undefined {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const row of rows) {
    const x = row[i];
    const y = row[j];
    if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y)) {
      xs.push(x);
      ys.push(y);
    }
  }
  if (xs.length < MIN_SHARED_VERDICTS) return undefined;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let k = 0; k < xs.length; k++) {
    const dx = (xs[k] as number) - meanX;
    const dy = (ys[k] as number) - meanY;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  // A judge that never varies carries no correlation (0/0); tiny variances are rounding of equal scores.
  if (varianceX < 1e-12 || varianceY < 1e-12) return undefined;
  return Math.min(Math.max(covariance / Math.sqrt(varianceX * varianceY), -1), 1);
}
