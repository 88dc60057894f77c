import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the CLI, with their categories (see ADR 0017). */
export const CLI_ERROR_CODES = declareErrorCodes({
  'cli.usage': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    cli: typeof CLI_ERROR_CODES;
  }
}
