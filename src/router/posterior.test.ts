import { describe, expect, it } from 'vitest';
import { addObservation, emptyEvidence, estimateQuality, sampleQuality } from './posterior.js';
import { sampleBeta, seededRandom } from './random.js';

const prior = { quality: 0.6, strength: 4 };

describe('quality posteriors', () => {
  it('start at the prior when nothing was observed', () => {
    for (const kind of ['beta', 'gaussian'] as const) {
      const estimate = estimateQuality(kind, emptyEvidence(), prior);
      expect(estimate.mean).toBeCloseTo(0.6, 10);
      expect(estimate.observations).toBe(0);
      expect(estimate.low).toBeLessThan(0.6);
      expect(estimate.high).toBeGreaterThan(0.6);
    }
  });

  it('Beta: passes and fails move the mean to (prior·k + passes) / (k + n)', () => {
    const evidence = emptyEvidence();
    for (let i = 0; i < 8; i++) addObservation(evidence, { pass: true });
    for (let i = 0; i < 2; i++) addObservation(evidence, { pass: false });
    // alpha = 0.6·4 + 8 = 10.4, beta = 0.4·4 + 2 = 3.6
    expect(estimateQuality('beta', evidence, prior).mean).toBeCloseTo(10.4 / 14, 10);
  });

  it('Beta: a score adds fractional pass and fail weights', () => {
    const evidence = emptyEvidence();
    addObservation(evidence, { score: 0.25 });
    expect(evidence.passes).toBeCloseTo(0.25);
    expect(evidence.fails).toBeCloseTo(0.75);
  });

  it('Gaussian: the mean is the prior and the observed scores weighted by their counts', () => {
    const evidence = emptyEvidence();
    for (const score of [0.9, 0.8, 1, 0.9]) addObservation(evidence, { score });
    expect(evidence.scoreMean).toBeCloseTo(0.9, 10);
    expect(estimateQuality('gaussian', evidence, prior).mean).toBeCloseTo((4 * 0.6 + 4 * 0.9) / 8, 10);
  });

  it('intervals narrow as observations accumulate', () => {
    for (const kind of ['beta', 'gaussian'] as const) {
      const evidence = emptyEvidence();
      const width = () => {
        const e = estimateQuality(kind, evidence, prior);
        return e.high - e.low;
      };
      const before = width();
      for (let i = 0; i < 100; i++) addObservation(evidence, { pass: i % 4 !== 0 });
      const after = width();
      expect(after).toBeLessThan(before / 2);
      expect(estimateQuality(kind, evidence, prior).mean).toBeGreaterThan(0.65);
    }
  });

  it('Thompson draws average to the posterior mean and stay within 0–1', () => {
    const random = seededRandom(7);
    const evidence = emptyEvidence();
    for (let i = 0; i < 20; i++) addObservation(evidence, { pass: i % 5 !== 0 });
    for (const kind of ['beta', 'gaussian'] as const) {
      let total = 0;
      const draws = 20_000;
      for (let i = 0; i < draws; i++) {
        const q = sampleQuality(kind, evidence, prior, random);
        expect(q).toBeGreaterThanOrEqual(0);
        expect(q).toBeLessThanOrEqual(1);
        total += q;
      }
      expect(total / draws).toBeCloseTo(estimateQuality(kind, evidence, prior).mean, 2);
    }
  });

  it('Beta draws match the Beta distribution’s mean and variance', () => {
    const random = seededRandom(1);
    const [alpha, beta] = [2.5, 0.7];
    const draws = Array.from({ length: 40_000 }, () => sampleBeta(alpha, beta, random));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const variance = draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(alpha / (alpha + beta), 2);
    expect(variance).toBeCloseTo((alpha * beta) / ((alpha + beta) ** 2 * (alpha + beta + 1)), 2);
  });

  it('the seeded generator repeats its sequence', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });
});
