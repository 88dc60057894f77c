import { declareErrorCodes } from '../core/errors.js';

/** The error codes of memory, with their categories (see ADR 0017). */
export const MEMORY_ERROR_CODES = declareErrorCodes({
  'memory.not_found': 'not_found',
  'memory.invalid': 'invalid',
  'memory.exists': 'invalid',
  'memory.refused': 'refused',
  'memory.no_embeddings': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    memory: typeof MEMORY_ERROR_CODES;
  }
}
