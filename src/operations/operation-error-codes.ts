import { declareErrorCodes } from '../core/errors.js';

/** The error codes of operations, with their categories (see ADR 0017). */
export const OPERATION_ERROR_CODES = declareErrorCodes({
  'request.invalid': 'invalid',
  'operation.invalid_output': 'system',
  'cluster.not_configured': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    operations: typeof OPERATION_ERROR_CODES;
  }
}
