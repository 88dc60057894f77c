import { declareErrorCodes } from '../core/errors.js';

/** The error codes of judges, rubrics and calibration, with their categories (see ADR 0017). */
export const JUDGE_ERROR_CODES = declareErrorCodes({
  'judge.invalid_input': 'invalid',
  'judge.invalid_history': 'invalid',
  'judge.invalid_json_schema': 'invalid',
  'judge.invalid_labels': 'invalid',
  'judge.invalid_rubric': 'invalid',
  'judge.invalid_score': 'invalid',
  'judge.labels_not_found': 'invalid',
  'judge.rubric_not_found': 'invalid',
  'judge.no_votes': 'invalid',
  'judge.simulated': 'invalid',
  'judge.missing_criterion': 'upstream',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    judge: typeof JUDGE_ERROR_CODES;
  }
}
