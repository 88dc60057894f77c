import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the task pipeline (the quality loop), with their categories (see ADR 0017). */
export const PIPELINE_ERROR_CODES = declareErrorCodes({
  'quality.no_rubric': 'invalid',
  'quality.command_not_allowed': 'invalid',
  'quality.rejected': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    pipeline: typeof PIPELINE_ERROR_CODES;
  }
}
