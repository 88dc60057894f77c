// The regression guard's comparison (bench/regression-guard.ts): a baseline and a measurement in, a
// verdict with messages out. No timing: the figures are given.
import { describe, expect, it } from 'vitest';
import { compareToBaseline, ratioToCalibration } from './regression-guard.js';
import type { Better, FigureRecord } from './regression-guard.js';

/** A figure measured at `value` while the calibration loop took `calibrationMs`. */
function figure(value: number, calibrationMs: number, better: Better = 'lower'): FigureRecord {
  return {
    label: better === 'lower' ? 'overhead per call' : 'journal engine',
    unit: better === 'lower' ? 'ms' : 'steps/s',
    better,
    value,
    ratio: ratioToCalibration(value, better, calibrationMs),
  };
}

describe('regression guard: comparing with the baseline', () => {
  it('takes a time in calibration loops and a rate in units per loop', () => {
    expect(ratioToCalibration(5, 'lower', 20)).toBe(0.25);
    expect(ratioToCalibration(20_000, 'higher', 20)).toBe(400);
  });

  it('passes a figure that is slower only because the machine is (the loop slowed as much)', () => {
    const verdict = compareToBaseline(
      { figures: { call: figure(1.0, 20), steps: figure(20_000, 20, 'higher') } },
      // Everything twice as slow: the time doubled, the rate halved, the loop took twice as long.
      { figures: { call: figure(2.0, 40), steps: figure(10_000, 40, 'higher') } },
      0.25,
    );
    expect(verdict.passed).toBe(true);
    expect(verdict.failures).toEqual([]);
    expect(verdict.figures.map((f) => f.change)).toEqual([0, 0]);
  });

  it('fails a time that got worse than the tolerance allows, naming both ratios and the tolerance', () => {
    const verdict = compareToBaseline(
      { figures: { call: figure(1.0, 20) } },
      { figures: { call: figure(1.3, 20) } },
      0.25,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.figures[0]?.change).toBeCloseTo(0.3);
    expect(verdict.failures).toEqual([
      'overhead per call got 30% worse: ratio 0.06500 calibration loops (1.300 ms) against 0.05000 in the ' +
        'baseline (1.000 ms); tolerance 25%',
    ]);
  });

  it('fails a rate that fell further than the tolerance allows', () => {
    const verdict = compareToBaseline(
      { figures: { steps: figure(20_000, 20, 'higher') } },
      { figures: { steps: figure(15_000, 20, 'higher') } },
      0.25,
    );
    // 400 → 300 steps per loop: each step costs a third more.
    expect(verdict.figures[0]?.change).toBeCloseTo(1 / 3);
    expect(verdict.failures[0]).toMatch(
      /^journal engine got 33% worse: ratio 300\.0 steps\/s per calibration loop/,
    );
    expect(verdict.failures[0]).toMatch(
      /against 400\.0 in the baseline \(2\.000e\+4 steps\/s\); tolerance 25%$/,
    );
  });

  it('passes a figure exactly at the tolerance, and one that got better', () => {
    const verdict = compareToBaseline(
      { figures: { call: figure(1.0, 20), steps: figure(20_000, 20, 'higher') } },
      { figures: { call: figure(1.25, 20), steps: figure(30_000, 20, 'higher') } },
      0.25,
    );
    expect(verdict.passed).toBe(true);
    expect(verdict.figures[1]?.change).toBeCloseTo(-1 / 3);
  });

  it('fails a baseline figure that was not measured, and notes a new one without failing', () => {
    const verdict = compareToBaseline(
      { figures: { call: figure(1.0, 20) } },
      { figures: { steps: figure(20_000, 20, 'higher') } },
      0.25,
    );
    expect(verdict.passed).toBe(false);
    expect(verdict.failures).toEqual(['overhead per call (call): in the baseline but not measured']);
    expect(verdict.figures.find((f) => f.key === 'steps')).toMatchObject({
      passed: true,
      baseline: undefined,
    });
  });
});
