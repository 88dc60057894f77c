import type { Json } from '../core/json.js';

/** A judging of one round's output: the checks, every judge's vote and the consensus. */
export interface VerdictRecord {
  id: string;
  taskId: string;
  /** 1 for the first round, 2 after the first redesign, … */
  round: number;
  rubricName: string;
  /** The sha256 of the rubric's content: its version. */
  rubricHash: string;
  /** `checks` (deterministic only), `single` or `panel`. */
  mode: string;
  approved: boolean;
  /** The consensus score, or null when a failed check rejected without a judge. */
  score: number | null;
  checks: Json;
  votes: Json;
  consensus: Json;
  /** The panel's effective number of independent votes, from past verdicts (null without history). */
  nEff: number | null;
  costUsd: number;
  createdAt: number;
}

/** A stored calibration of a rubric's judges against human labels. */
export interface CalibrationRecord {
  id: string;
  rubricName: string;
  rubricHash: string;
  report: Json;
  createdAt: number;
}

/** Persists verdicts (for n_eff and audit) and calibrations (for weights and gating). */
export interface VerdictStore {
  add(verdict: VerdictRecord): Promise<void>;
  /** A task's verdicts in round order. */
  listByTask(taskId: string): Promise<VerdictRecord[]>;
  /** The newest verdicts under a rubric version, newest first. */
  listByRubric(query: { rubricHash: string; limit: number }): Promise<VerdictRecord[]>;
  saveCalibration(calibration: CalibrationRecord): Promise<void>;
  /** The newest calibration of a rubric version, or null. */
  latestCalibration(rubricHash: string): Promise<CalibrationRecord | null>;
}
