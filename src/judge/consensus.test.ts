import { describe, expect, it } from 'vitest';
import { consensus } from './consensus.js';
import type { ConsensusVote } from './consensus.js';

// Rubric threshold 0.7: a and b pass, c fails.
const votes: ConsensusVote[] = [
  { judge: 'a', score: 0.9, pass: true },
  { judge: 'b', score: 0.8, pass: true },
  { judge: 'c', score: 0.4, pass: false },
];

describe('consensus', () => {
  it('mean: (0.9 + 0.8 + 0.4) / 3 = 0.7 passes 0.7 despite float rounding; 2 of 3 agree', () => {
    const result = consensus(votes, { strategy: 'mean', threshold: 0.7 });
    expect(result.score).toBeCloseTo(0.7, 12);
    expect(result).toMatchObject({ strategy: 'mean', pass: true });
    expect(result.agreement).toBeCloseTo(2 / 3, 12);
    expect(consensus(votes, { strategy: 'mean', threshold: 0.71 }).pass).toBe(false);
  });

  it('median: the middle score 0.8; with an even count, the mean of the middle two', () => {
    expect(consensus(votes, { strategy: 'median', threshold: 0.7 })).toMatchObject({
      score: 0.8,
      pass: true,
    });
    const four = [...votes, { judge: 'd', score: 0.5, pass: false }];
    const result = consensus(four, { strategy: 'median', threshold: 0.7 });
    expect(result.score).toBeCloseTo(0.65, 12); // (0.5 + 0.8) / 2
    expect(result).toMatchObject({ pass: false, agreement: 0.5 });
  });

  it('min: the lowest score 0.4 fails; only c agrees', () => {
    const result = consensus(votes, { strategy: 'min', threshold: 0.7 });
    expect(result).toMatchObject({ score: 0.4, pass: false });
    expect(result.agreement).toBeCloseTo(1 / 3, 12);
  });

  it('majority: 2 of 3 pass, so it passes with score 2/3; 2 of 4 is not a majority', () => {
    const result = consensus(votes, { strategy: 'majority', threshold: 0.99 });
    expect(result.score).toBeCloseTo(2 / 3, 12);
    expect(result.pass).toBe(true); // the votes' own pass counts, not the threshold
    const four = [...votes, { judge: 'd', score: 0.5, pass: false }];
    expect(consensus(four, { strategy: 'majority', threshold: 0.7 })).toMatchObject({
      score: 0.5,
      pass: false,
      agreement: 0.5,
    });
  });

  it('unanimous: fails on one failing vote with the lowest score; passes when all pass', () => {
    expect(consensus(votes, { strategy: 'unanimous', threshold: 0.7 })).toMatchObject({
      score: 0.4,
      pass: false,
    });
    expect(consensus(votes.slice(0, 2), { strategy: 'unanimous', threshold: 0.7 })).toEqual({
      strategy: 'unanimous',
      score: 0.8,
      pass: true,
      agreement: 1,
    });
  });

  it('reliability-weighted: (0.9·0.2 + 0.4·0.6) / 0.8 = 0.525; b weighs 0, negative weights count as 0', () => {
    const result = consensus(votes, {
      strategy: 'reliability-weighted',
      threshold: 0.7,
      weights: { a: 0.2, b: -0.5, c: 0.6 },
    });
    expect(result.score).toBeCloseTo(0.525, 12);
    expect(result.pass).toBe(false);
    expect(result.agreement).toBeCloseTo(1 / 3, 12);
    expect(result.fallback).toBeUndefined();
  });

  it('reliability-weighted falls back to the mean, and says so, when no judge has a positive weight', () => {
    const choices: (Record<string, number> | undefined)[] = [undefined, {}, { a: 0, b: 0, c: -1 }];
    for (const weights of choices) {
      const result = consensus(votes, {
        strategy: 'reliability-weighted',
        threshold: 0.7,
        ...(weights && { weights }),
      });
      expect(result.score).toBeCloseTo(0.7, 12);
      expect(result).toMatchObject({ strategy: 'reliability-weighted', pass: true, fallback: 'mean' });
    }
  });

  it('a single vote is its own consensus with full agreement; no votes is an error', () => {
    expect(
      consensus([{ judge: 'a', score: 0.3, pass: false }], { strategy: 'mean', threshold: 0.7 }),
    ).toEqual({
      strategy: 'mean',
      score: 0.3,
      pass: false,
      agreement: 1,
    });
    expect(() => consensus([], { strategy: 'mean', threshold: 0.7 })).toThrow(
      expect.objectContaining({ code: 'judge.no_votes' }),
    );
  });
});
