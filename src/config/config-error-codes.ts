import { declareErrorCodes } from '../core/errors.js';

/** The error codes of loading the config, with their categories (see ADR 0017). */
export const CONFIG_ERROR_CODES = declareErrorCodes({
  'config.invalid': 'invalid',
  'config.not_found': 'invalid',
  'config.parse_error': 'invalid',
  'config.secret_missing': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    config: typeof CONFIG_ERROR_CODES;
  }
}
