import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the test fakes, with their categories (see ADR 0017). */
export const TESTING_ERROR_CODES = declareErrorCodes({
  'test.no_human': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    testing: typeof TESTING_ERROR_CODES;
  }
}
