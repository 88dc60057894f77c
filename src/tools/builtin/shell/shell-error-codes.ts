import { declareErrorCodes } from '../../../core/errors.js';

/** The error codes of the shell tool, with their categories (see ADR 0017). */
export const SHELL_ERROR_CODES = declareErrorCodes({
  'shell.program_not_allowed': 'forbidden',
  'shell.syntax_not_allowed': 'forbidden',
  'shell.isolation_unavailable': 'forbidden',
  'shell.spawn_failed': 'invalid',
});

declare module '../../../core/errors.js' {
  interface ErrorCodeTables {
    shell: typeof SHELL_ERROR_CODES;
  }
}
