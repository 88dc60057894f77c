import { describe, expect, it } from 'vitest';
import { seededRandom } from '../router/index.js';
import { calibrationGate } from './calibration-gate.js';
import { calibrationReport, cohensKappa } from './calibration.js';
import type { CalibrationRun } from './calibration.js';

/** Ratings from a 2×2 table: `both` yes/yes, `onlyA` yes/no, `onlyB` no/yes, `neither` no/no. */
function table(both: number, onlyA: number, onlyB: number, neither: number): [boolean[], boolean[]] {
  const a: boolean[] = [];
  const b: boolean[] = [];
  const add = (count: number, x: boolean, y: boolean) => {
    for (let i = 0; i < count; i++) {
      a.push(x);
      b.push(y);
    }
  };
  add(both, true, true);
  add(onlyA, true, false);
  add(onlyB, false, true);
  add(neither, false, false);
  return [a, b];
}

describe("Cohen's κ", () => {
  it('matches the textbook table: 20/5/10/15 of 50 → p_o 0.7, p_e 0.5, κ 0.4', () => {
    // p_a = 25/50 = 0.5, p_b = 30/50 = 0.6, p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = (0.7 − 0.5) / 0.5.
    expect(cohensKappa(...table(20, 5, 10, 15))).toBeCloseTo(0.4, 12);
  });

  it('is 1 for perfect agreement and −1 for perfect disagreement on balanced ratings', () => {
    expect(cohensKappa(...table(7, 0, 0, 5))).toBe(1);
    expect(cohensKappa(...table(0, 6, 6, 0))).toBe(-1);
  });

  it('is 0 at chance level: exactly for a constructed table, about 0 for independent random raters', () => {
    expect(cohensKappa(...table(1, 1, 1, 1))).toBe(0);
    const random = seededRandom(11);
    const a = Array.from({ length: 20000 }, () => random() < 0.6);
    const b = Array.from({ length: 20000 }, () => random() < 0.3);
    expect(Math.abs(cohensKappa(a, b))).toBeLessThan(0.02);
  });

  it('is 0 in the degenerate case p_e = 1 (both raters give every item the same one answer)', () => {
    expect(cohensKappa([true, true, true], [true, true, true])).toBe(0);
    expect(cohensKappa([false, false], [false, false])).toBe(0);
    // One constant rater against a varied one: p_e = 0.5, p_o = 0.5.
    expect(cohensKappa([true, true, true, true], [true, true, false, false])).toBe(0);
  });

  it('refuses ratings of different lengths and no ratings', () => {
    expect(() => cohensKappa([true], [true, false])).toThrow(
      expect.objectContaining({ code: 'judge.invalid_input' }),
    );
    expect(() => cohensKappa([], [])).toThrow(expect.objectContaining({ code: 'judge.invalid_input' }));
  });
});

describe('calibrationReport', () => {
  // Four labelled items: two pass, two fail; item 1 has human scores.
  const labels = [
    { id: '1', label: 'pass' as const, scores: { correctness: 1 } },
    { id: '2', label: 'pass' as const },
    { id: '3', label: 'fail' as const },
    { id: '4', label: 'fail' as const },
  ];
  const verdict = (id: string, score: number, costUsd = 0.01) => ({
    id,
    score,
    pass: score >= 0.7,
    scores: { correctness: score },
    costUsd,
  });
  const perfect: CalibrationRun = {
    judge: 'perfect',
    verdicts: [verdict('1', 0.9), verdict('2', 0.8), verdict('3', 0.2), verdict('4', 0.1)],
    positionSwap: { consistent: 9, total: 10 },
  };
  const lenient: CalibrationRun = {
    judge: 'lenient',
    // Passes item 3 (a false pass) and misses item 4; one verdict on an unlabelled id.
    verdicts: [verdict('1', 0.7, 0.03), verdict('2', 0.9, 0.01), verdict('3', 0.75, 0.02), verdict('x', 1)],
  };

  it('reports accuracy, κ, confusion, position-swap consistency, cost and criterion error per judge', () => {
    const report = calibrationReport({ labels, judges: [perfect, lenient], rubricHash: 'abc' });
    expect(report.judges[0]).toEqual({
      judge: 'perfect',
      items: 4,
      missing: 0,
      accuracy: 1,
      kappa: 1,
      confusion: { truePass: 2, falsePass: 0, trueFail: 2, falseFail: 0 },
      positionSwapConsistency: 0.9,
      costPerVerdictUsd: 0.01,
      criterionError: { correctness: expect.closeTo(0.1, 12) as number },
    });
    // lenient on items 1–3: judged [T, T, T] vs labels [T, T, F] → p_o 2/3, p_e = 1·(2/3) + 0 = 2/3 → κ 0.
    expect(report.judges[1]).toMatchObject({
      judge: 'lenient',
      items: 3,
      missing: 1,
      kappa: 0,
      confusion: { truePass: 2, falsePass: 1, trueFail: 0, falseFail: 0 },
      costPerVerdictUsd: expect.closeTo(0.02, 12) as number,
    });
    expect(report.judges[1]?.accuracy).toBeCloseTo(2 / 3, 12);
    expect(report.weights).toEqual({ perfect: 1, lenient: 0 });
    expect(report.warnings).toEqual([
      'lenient: 1 verdicts on unlabelled ids were ignored',
      'lenient: no verdict on 1 labelled items',
    ]);
    expect(report).toMatchObject({ rubricHash: 'abc', labelled: 4, labelPassShare: 0.5 });
    expect(report.panel).toBeUndefined();
  });

  it('reports the panel’s consensus the same way, costing the sum of its judges’ verdicts', () => {
    const report = calibrationReport({
      labels,
      judges: [perfect, lenient],
      consensus: { strategy: 'min', threshold: 0.7 },
    });
    // min per item: 1 → 0.7 pass, 2 → 0.8 pass, 3 → 0.2 fail, 4 → 0.1 fail (only `perfect` judged it).
    expect(report.panel).toMatchObject({
      judge: 'panel',
      strategy: 'min',
      items: 4,
      accuracy: 1,
      kappa: 1,
      confusion: { truePass: 2, falsePass: 0, trueFail: 2, falseFail: 0 },
    });
    expect(report.panel?.costPerVerdictUsd).toBeCloseTo((0.04 + 0.02 + 0.03 + 0.01) / 4, 12);
  });

  it('uses its own weights for reliability-weighted when none are given, and warns that they are in-sample', () => {
    const report = calibrationReport({
      labels,
      judges: [perfect, lenient],
      consensus: { strategy: 'reliability-weighted', threshold: 0.7 },
    });
    // lenient weighs 0, so the panel follows `perfect`.
    expect(report.panel?.kappa).toBe(1);
    expect(report.warnings.at(-1)).toMatch(/in-sample/);
  });

  it('warns that κ means nothing when every label is the same', () => {
    const report = calibrationReport({ labels: labels.slice(0, 2), judges: [perfect] });
    expect(report.judges[0]?.kappa).toBe(0);
    expect(report.warnings[0]).toMatch(/^every label is 'pass'/);
  });

  it('is plain JSON: it survives a round trip unchanged', () => {
    const report = calibrationReport({
      labels,
      judges: [perfect, lenient],
      consensus: { strategy: 'mean', threshold: 0.7 },
    });
    expect(JSON.parse(JSON.stringify(report))).toStrictEqual(report);
  });
});

describe('calibrationGate', () => {
  const labels = [
    { id: '1', label: 'pass' as const },
    { id: '2', label: 'fail' as const },
  ];
  const report = calibrationReport({
    labels,
    judges: [
      {
        judge: 'good',
        verdicts: [
          { id: '1', pass: true, score: 1 },
          { id: '2', pass: false, score: 0 },
        ],
      },
      {
        judge: 'bad',
        verdicts: [
          { id: '1', pass: false, score: 0 },
          { id: '2', pass: true, score: 1 },
        ],
      },
    ],
    consensus: { strategy: 'mean', threshold: 0.5 },
    rubricHash: 'v1',
  });
  const requiring = { requireCalibration: { kappa: 0.6 } };

  it('lets a rubric without the requirement gate', () => {
    expect(calibrationGate({ rubric: {}, rubricHash: 'v1', report: undefined })).toMatchObject({
      allowed: true,
    });
  });

  it('needs a calibration of this version of the rubric', () => {
    expect(calibrationGate({ rubric: requiring, rubricHash: 'v1', report: undefined })).toEqual({
      allowed: false,
      reason: 'the rubric requires calibration to κ ≥ 0.6 and has none',
    });
    expect(calibrationGate({ rubric: requiring, rubricHash: 'v2', report })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining('another version of the rubric'),
    });
  });

  it('compares the panel’s κ by default, or the named judge’s', () => {
    // mean of 1 and 0 is 0.5 on both items: both pass, κ 0.
    expect(calibrationGate({ rubric: requiring, rubricHash: 'v1', report })).toMatchObject({
      allowed: false,
      kappa: 0,
    });
    expect(calibrationGate({ rubric: requiring, rubricHash: 'v1', report, judge: 'good' })).toEqual({
      allowed: true,
      kappa: 1,
      reason: 'calibrated: κ 1.00 ≥ 0.6 (good)',
    });
    expect(calibrationGate({ rubric: requiring, rubricHash: 'v1', report, judge: 'bad' })).toMatchObject({
      allowed: false,
      kappa: -1,
    });
    expect(calibrationGate({ rubric: requiring, rubricHash: 'v1', report, judge: 'other' })).toMatchObject({
      allowed: false,
      reason: "the calibration has no figures for judge 'other'",
    });
  });
});
