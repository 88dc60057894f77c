import { AgentdError } from '../core/errors.js';
import './judge-error-codes.js';
import { consensus } from './consensus.js';
import type { ConsensusOptions, ConsensusStrategy, ConsensusVote } from './consensus.js';
import type { Label } from './load-labels.js';

/**
 * Cohen's κ of two pass/fail raters over the same items: (p_o − p_e) / (1 − p_e), where p_o is the share
 * of items they agree on and p_e the agreement expected by chance from each rater's pass rate.
 * When p_e = 1 both raters gave every item the same single answer: the items cannot show that either
 * discriminates, so κ is 0 (not 1), and a one-class label set never opens a calibration gate.
 */
export function cohensKappa(a: readonly boolean[], b: readonly boolean[]): number {
  if (a.length !== b.length) {
    throw new AgentdError({
      code: 'judge.invalid_input',
      message: `κ needs two ratings per item; got ${a.length} and ${b.length}`,
    });
  }
  if (a.length === 0) {
    throw new AgentdError({ code: 'judge.invalid_input', message: 'κ needs at least one rated item' });
  }
  const n = a.length;
  let agree = 0;
  let passA = 0;
  let passB = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    if (a[i]) passA++;
    if (b[i]) passB++;
  }
  const observed = agree / n;
  const pa = passA / n;
  const pb = passB / n;
  const expected = pa * pb + (1 - pa) * (1 - pb);
  if (expected >= 1 - 1e-12) return 0;
  return (observed - expected) / (1 - expected);
}

/** One verdict of a judge on a labelled item, as calibration reads it. */
export interface CalibrationVerdict {
  /** The label's id. */
  id: string;
  pass: boolean;
  /** The weighted score. */
  score: number;
  /** Per criterion, compared with the human's scores when the label has them. */
  scores?: Readonly<Record<string, number>>;
  costUsd?: number;
}

/** A judge's verdicts on the labelled items, and its position-swap record from pairwise runs. */
export interface CalibrationRun {
  judge: string;
  verdicts: readonly CalibrationVerdict[];
  /** Pairwise comparisons run in both orders, and how many of them agreed (see `positionConsistent`). */
  positionSwap?: { consistent: number; total: number };
}

/** Pass/fail of a judge against the labels: true/false pass = the judge passed a pass/fail-labelled item. */
export interface Confusion {
  truePass: number;
  falsePass: number;
  trueFail: number;
  falseFail: number;
}

/** How well one judge (or the panel) agrees with the human labels. */
export interface JudgeCalibration {
  judge: string;
  /** Labelled items it gave a verdict on; the figures below are over these. */
  items: number;
  /** Labelled items it gave no verdict on. */
  missing: number;
  accuracy: number;
  kappa: number;
  confusion: Confusion;
  /** consistent / total of its position-swapped comparisons. */
  positionSwapConsistency?: number;
  costPerVerdictUsd?: number;
  /** Per criterion, the mean absolute difference from the human's scores, where labels have them. */
  criterionError?: Record<string, number>;
}

/** A calibration's results: plain JSON, to store and read back for weights and gating. */
export interface CalibrationReport {
  /** The version of the rubric the judges used. */
  rubricHash?: string;
  labelled: number;
  /** The share of labelled items whose label is pass. */
  labelPassShare: number;
  judges: JudgeCalibration[];
  panel?: JudgeCalibration & { strategy: ConsensusStrategy };
  /** Per judge, max(κ, 0): the weights of reliability-weighted consensus. */
  weights: Record<string, number>;
  warnings: string[];
}

/** What {@link calibrationReport} compares. */
export interface CalibrationInput {
  labels: readonly Pick<Label, 'id' | 'label' | 'scores'>[];
  judges: readonly CalibrationRun[];
  /** When given, the panel's consensus over the judges' verdicts is reported too. */
  consensus?: ConsensusOptions;
  rubricHash?: string;
}

/** The name the panel reports under. */
export const PANEL = 'panel';

/**
 * Compares each judge's verdicts (and, with `consensus`, the panel's) with the human labels: accuracy, κ,
 * position-swap consistency, cost per verdict, and per-criterion error. reliability-weighted without weights
 * uses this report's own weights, which is in-sample and says so in `warnings`.
 */
export function calibrationReport(input: CalibrationInput): CalibrationReport {
  if (input.labels.length === 0) {
    throw new AgentdError({ code: 'judge.invalid_input', message: 'calibration needs labelled items' });
  }
  const labels = new Map(input.labels.map((label) => [label.id, label]));
  const warnings: string[] = [];
  const passShare = input.labels.filter((label) => label.label === 'pass').length / input.labels.length;
  if (passShare === 0 || passShare === 1) {
    warnings.push(
      `every label is '${passShare === 1 ? 'pass' : 'fail'}': κ cannot show that a judge discriminates (reported as 0); label both kinds`,
    );
  }

  const judges = input.judges.map((run) => {
    const unknown = run.verdicts.filter((verdict) => !labels.has(verdict.id)).length;
    if (unknown > 0) warnings.push(`${run.judge}: ${unknown} verdicts on unlabelled ids were ignored`);
    const result = agreementWith(run.judge, labels, run.verdicts);
    if (result.missing > 0) warnings.push(`${run.judge}: no verdict on ${result.missing} labelled items`);
    if (run.positionSwap !== undefined && run.positionSwap.total > 0) {
      result.positionSwapConsistency = run.positionSwap.consistent / run.positionSwap.total;
    }
    return result;
  });
  const weights = Object.fromEntries(judges.map((judge) => [judge.judge, Math.max(judge.kappa, 0)]));

  let panel: CalibrationReport['panel'];
  if (input.consensus !== undefined) {
    let options = input.consensus;
    if (options.strategy === 'reliability-weighted' && options.weights === undefined) {
      options = { ...options, weights };
      warnings.push(
        'panel: reliability weights come from these same labels (in-sample), so its κ is optimistic',
      );
    }
    panel = {
      ...agreementWith(PANEL, labels, panelVerdicts(input.judges, options)),
      strategy: options.strategy,
    };
  }
  return {
    ...(input.rubricHash === undefined ? {} : { rubricHash: input.rubricHash }),
    labelled: input.labels.length,
    labelPassShare: passShare,
    judges,
    ...(panel === undefined ? {} : { panel }),
    weights,
    warnings,
  };
}

/** The panel's verdict per item: consensus over the judges that gave one; cost is their sum. */
function panelVerdicts(runs: readonly CalibrationRun[], options: ConsensusOptions): CalibrationVerdict[] {
  const byItem = new Map<string, { votes: ConsensusVote[]; cost: number | undefined }>();
  for (const run of runs) {
    for (const verdict of run.verdicts) {
      const entry = byItem.get(verdict.id) ?? { votes: [], cost: undefined };
      entry.votes.push({ judge: run.judge, score: verdict.score, pass: verdict.pass });
      if (verdict.costUsd !== undefined) entry.cost = (entry.cost ?? 0) + verdict.costUsd;
      byItem.set(verdict.id, entry);
    }
  }
  return [...byItem].map(([id, { votes, cost }]) => {
    const result = consensus(votes, options);
    return { id, pass: result.pass, score: result.score, ...(cost === undefined ? {} : { costUsd: cost }) };
  });
}

function agreementWith(
  judge: string,
  labels: ReadonlyMap<string, Pick<Label, 'id' | 'label' | 'scores'>>,
  verdicts: readonly CalibrationVerdict[],
): JudgeCalibration {
  const confusion: Confusion = { truePass: 0, falsePass: 0, trueFail: 0, falseFail: 0 };
  const judged: boolean[] = [];
  const truth: boolean[] = [];
  const seen = new Set<string>();
  let cost = 0;
  let costed = 0;
  const errors = new Map<string, { sum: number; count: number }>();
  for (const verdict of verdicts) {
    const label = labels.get(verdict.id);
    // Only the first verdict per item counts, so a retried item is not weighed twice.
    if (label === undefined || seen.has(verdict.id)) continue;
    seen.add(verdict.id);
    const shouldPass = label.label === 'pass';
    judged.push(verdict.pass);
    truth.push(shouldPass);
    if (verdict.pass) confusion[shouldPass ? 'truePass' : 'falsePass']++;
    else confusion[shouldPass ? 'falseFail' : 'trueFail']++;
    if (verdict.costUsd !== undefined) {
      cost += verdict.costUsd;
      costed++;
    }
    for (const [criterion, human] of Object.entries(label.scores ?? {})) {
      const given = verdict.scores?.[criterion];
      if (given === undefined) continue;
      const entry = errors.get(criterion) ?? { sum: 0, count: 0 };
      entry.sum += Math.abs(given - human);
      entry.count++;
      errors.set(criterion, entry);
    }
  }
  const items = judged.length;
  const result: JudgeCalibration = {
    judge,
    items,
    missing: labels.size - items,
    accuracy: items === 0 ? 0 : (confusion.truePass + confusion.trueFail) / items,
    kappa: items === 0 ? 0 : cohensKappa(judged, truth),
    confusion,
  };
  if (costed > 0) result.costPerVerdictUsd = cost / costed;
  if (errors.size > 0) {
    result.criterionError = Object.fromEntries(
      [...errors].map(([criterion, { sum, count }]) => [criterion, sum / count]),
    );
  }
  return result;
}
