import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the stores, with their categories (see ADR 0017). */
export const STORE_ERROR_CODES = declareErrorCodes({
  'store.conflict': 'conflict',
  'store.schema_too_new': 'system',
  'store.invalid_migrations': 'system',
  'store.unusable_path': 'invalid',
  'store.invalid_schema': 'invalid',
  'store.unsupported': 'invalid',
  'store.unreachable': 'unavailable',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    store: typeof STORE_ERROR_CODES;
  }
}
