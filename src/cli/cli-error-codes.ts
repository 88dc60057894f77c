import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the CLI, with their categories (see ADR 0017). */
export const CLI_ERROR_CODES = declareErrorCodes({
  'cli.usage': 'invalid',
  /** `agentd init` would overwrite a file (without --force). */
  'cli.file_exists': 'conflict',
  /** The example files `agentd init` copies are missing from the installation. */
  'cli.examples_missing': 'system',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    cli: typeof CLI_ERROR_CODES;
  }
}
