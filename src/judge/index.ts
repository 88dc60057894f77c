export { calibrationGate } from './calibration-gate.js';
export type { GateDecision } from './calibration-gate.js';
export { calibrationReport, cohensKappa, PANEL } from './calibration.js';
export type {
  CalibrationInput,
  CalibrationReport,
  CalibrationRun,
  CalibrationVerdict,
  Confusion,
  JudgeCalibration,
} from './calibration.js';
export {
  CheckSpecSchema,
  CommandCheckSchema,
  ContainsCheckSchema,
  DEFAULT_COMMAND_TIMEOUT_MS,
  ExcludesCheckSchema,
  FilesCheckSchema,
  JsonSchemaCheckSchema,
  LengthCheckSchema,
  MAX_COMMAND_TIMEOUT_MS,
  RegexCheckSchema,
} from './check-spec.js';
export type { CheckResult, CheckSpec, CheckSpecInput, CheckType } from './check-spec.js';
export { checkIssues, checkName, checksPassed, runChecks } from './checks.js';
export type { RunChecksOptions } from './checks.js';
export { commandAllowed, OUTPUT_TAIL_CHARS } from './command-check.js';
export { consensus, ConsensusStrategySchema } from './consensus.js';
export type { Consensus, ConsensusOptions, ConsensusStrategy, ConsensusVote } from './consensus.js';
export { effectiveVotes, MIN_SHARED_VERDICTS } from './effective-votes.js';
export type { EffectiveVotes } from './effective-votes.js';
export { FEEDBACK_HEADER, judgeFeedback } from './judge-feedback.js';
export { compileJsonSchema, parseJsonOutput } from './json-schema.js';
export type { CompiledJsonSchema } from './json-schema.js';
export { LabelSchema, loadLabels, parseLabels } from './load-labels.js';
export type { Label } from './load-labels.js';
export { loadRubricFile, parseRubric } from './load-rubric-file.js';
export { isRubricName, loadRubric, RUBRIC_NAME, resolveRubricName } from './rubric-ref.js';
export type { LoadedRubric } from './load-rubric-file.js';
export {
  PAIRWISE_INSTRUCTIONS,
  PairwiseAnswerSchema,
  pairwiseOutcome,
  pairwisePrompt,
  positionConsistent,
} from './pairwise.js';
export type { PairwiseAnswer, PairwiseOutcome } from './pairwise.js';
export {
  CriterionSchema,
  meetsThreshold,
  RubricExampleSchema,
  rubricHash,
  RubricSchema,
  weightedScore,
} from './rubric.js';
export type { Criterion, Rubric, RubricExample, RubricInput } from './rubric.js';
export {
  describeRubric,
  IssueSchema,
  IssueSeveritySchema,
  JUDGE_INSTRUCTIONS,
  JudgeAnswerSchema,
  judgePrompt,
  toVote,
} from './verdict.js';
export type { Issue, IssueSeverity, JudgeAnswer, JudgePromptInput, Vote } from './verdict.js';
export { evaluateOutput } from './evaluate-output.js';
export type { EvaluateOutputInput, Evaluation, JudgeReply, JudgeRequest } from './evaluate-output.js';
export {
  JudgeSpecSchema,
  JudgingModeSchema,
  QualityConfigSchema,
  QualitySettingsSchema,
} from './quality-config.js';
export type { JudgeSpec, QualityConfig, QualitySettings } from './quality-config.js';
