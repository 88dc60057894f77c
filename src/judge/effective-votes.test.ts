import { describe, expect, it } from 'vitest';
import { seededRandom } from '../router/index.js';
import { effectiveVotes } from './effective-votes.js';

// Columns of a 4×4 Hadamard matrix (minus the constant one), mapped to 0–1: pairwise correlation exactly 0.
const h1 = [1, 1, 0, 0];
const h2 = [1, 0, 1, 0];
const h3 = [1, 0, 0, 1];
const rows = (...columns: number[][]): number[][] =>
  (columns[0] ?? []).map((_, row) => columns.map((column) => column[row] as number));

describe('effectiveVotes', () => {
  it('counts perfectly correlated judges as one vote', () => {
    const scores = [0.1, 0.5, 0.9, 0.3, 0.7];
    const result = effectiveVotes(
      rows(
        scores,
        scores.map((s) => s / 2 + 0.2),
        scores,
      ),
    );
    expect(result).toMatchObject({ judges: 3, estimated: true });
    expect(result.nEff).toBeCloseTo(1, 12);
    expect(result.meanCorrelation).toBeCloseTo(1, 12);
  });

  it('counts uncorrelated judges as n votes', () => {
    const result = effectiveVotes(rows(h1, h2, h3));
    expect(result.meanCorrelation).toBeCloseTo(0, 12);
    expect(result.nEff).toBeCloseTo(3, 12);
  });

  it('gives 3 / (1 + 2·(1/3)) = 1.8 when one pair is identical and the others uncorrelated (ρ̄ = 1/3)', () => {
    const result = effectiveVotes(rows(h1, h1, h2));
    expect(result.meanCorrelation).toBeCloseTo(1 / 3, 12);
    expect(result.nEff).toBeCloseTo(1.8, 12);
  });

  it('comes close to n for judges with independent random scores', () => {
    const random = seededRandom(7);
    const history = Array.from({ length: 5000 }, () => Array.from({ length: 4 }, () => random()));
    const result = effectiveVotes(history);
    expect(result.nEff).toBeGreaterThan(3.8);
    expect(result.nEff).toBeLessThanOrEqual(4);
  });

  it('clamps a negative mean correlation to 0, so n_eff never exceeds n', () => {
    const a = [0, 0.5, 1, 0.25];
    const result = effectiveVotes(
      rows(
        a,
        a.map((s) => 1 - s),
      ),
    );
    expect(result.meanCorrelation).toBeCloseTo(-1, 12);
    expect(result.nEff).toBe(2);
  });

  it('returns n, flagged as not estimated, with too little history or no variance', () => {
    expect(
      effectiveVotes([
        [0.2, 0.3],
        [0.4, 0.5],
      ]),
    ).toEqual({
      judges: 2,
      nEff: 2,
      estimated: false,
      reason: 'fewer than 3 past verdicts',
    });
    expect(effectiveVotes(rows([0.5, 0.5, 0.5], [0.1, 0.2, 0.3]))).toMatchObject({
      nEff: 2,
      estimated: false,
    });
    expect(effectiveVotes([], { judges: 3 })).toMatchObject({ judges: 3, nEff: 3, estimated: false });
  });

  it('uses, per pair, only the verdicts both judges scored (NaN = no score)', () => {
    // Judge 3 missed the last verdict; over the four it has, it is identical to judge 1 (ρ = 1), and judge 2
    // is uncorrelated with both (the fifth row sits at both means), so ρ̄ = 1/3 as above.
    const result = effectiveVotes([...rows(h1, h2, h1), [0.5, 0.5, Number.NaN]]);
    expect(result.meanCorrelation).toBeCloseTo(1 / 3, 12);
    expect(result.nEff).toBeCloseTo(1.8, 12);
  });

  it('with truth, correlates the errors: shared quality alone does not make judges redundant', () => {
    const truth = [0.1, 0.3, 0.5, 0.7, 0.9, 0.2, 0.4, 0.6];
    const errorsA = [0.05, -0.05, 0.05, -0.05, 0.05, -0.05, 0.05, -0.05];
    const errorsB = [0.05, 0.05, -0.05, -0.05, 0.05, 0.05, -0.05, -0.05];
    const history = truth.map((t, i) => [t + (errorsA[i] as number), t + (errorsB[i] as number)]);
    expect(effectiveVotes(history).nEff).toBeLessThan(1.1);
    expect(effectiveVotes(history, { truth }).nEff).toBeCloseTo(2, 12);
  });

  it('refuses rows of different lengths', () => {
    expect(() => effectiveVotes([[0.1, 0.2], [0.3]])).toThrow(
      expect.objectContaining({ code: 'judge.invalid_history' }),
    );
  });
});
