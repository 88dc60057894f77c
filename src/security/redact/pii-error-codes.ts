import { declareErrorCodes } from '../../core/errors.js';

/** The error codes of the PII policy, with their categories (see ADR 0017). */
export const PII_ERROR_CODES = declareErrorCodes({
  'pii.blocked': 'forbidden',
});

declare module '../../core/errors.js' {
  interface ErrorCodeTables {
    pii: typeof PII_ERROR_CODES;
  }
}
