import { declareErrorCodes } from '../../core/errors.js';

/** The error codes of the secrets vault, with their categories (see ADR 0017). */
export const VAULT_ERROR_CODES = declareErrorCodes({
  'vault.invalid_key': 'invalid',
  'vault.key_file_permissions': 'forbidden',
  'vault.wrong_key': 'invalid',
  'vault.no_key': 'invalid',
  'vault.invalid_name': 'invalid',
  'vault.invalid_value': 'invalid',
});

declare module '../../core/errors.js' {
  interface ErrorCodeTables {
    vault: typeof VAULT_ERROR_CODES;
  }
}
