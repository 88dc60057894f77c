import type { CalibrationReport } from './calibration.js';
import { PANEL } from './calibration.js';
import type { Rubric } from './rubric.js';

/** Whether a rubric may gate, with the κ that decided it and why, in words for a task result. */
export interface GateDecision {
  allowed: boolean;
  kappa?: number;
  reason: string;
}

/**
 * Whether a rubric may gate (reject work) given its latest calibration. A rubric without
 * `requireCalibration` always may; one with it needs a report for this version of the rubric (when the
 * report records one) whose κ reaches the requirement. `judge` picks the judge whose κ counts (a single
 * judge mode); by default the panel's, or the only judge's.
 */
export function calibrationGate(options: {
  rubric: Pick<Rubric, 'requireCalibration'>;
  rubricHash: string;
  report: CalibrationReport | undefined;
  judge?: string;
}): GateDecision {
  const required = options.rubric.requireCalibration?.kappa;
  if (required === undefined) return { allowed: true, reason: 'the rubric does not require calibration' };
  const { report } = options;
  if (report === undefined) {
    return { allowed: false, reason: `the rubric requires calibration to κ ≥ ${required} and has none` };
  }
  if (report.rubricHash !== undefined && report.rubricHash !== options.rubricHash) {
    return {
      allowed: false,
      reason: 'the calibration was made with another version of the rubric; calibrate again',
    };
  }
  const subject =
    options.judge === undefined || options.judge === PANEL
      ? (report.panel ?? (report.judges.length === 1 ? report.judges[0] : undefined))
      : report.judges.find((judge) => judge.judge === options.judge);
  if (subject === undefined) {
    const who = options.judge === undefined ? 'the panel' : `judge '${options.judge}'`;
    return { allowed: false, reason: `the calibration has no figures for ${who}` };
  }
  const kappa = subject.kappa;
  return kappa >= required
    ? { allowed: true, kappa, reason: `calibrated: κ ${kappa.toFixed(2)} ≥ ${required} (${subject.judge})` }
    : {
        allowed: false,
        kappa,
        reason: `κ ${kappa.toFixed(2)} is below the required ${required} (${subject.judge})`,
      };
}
