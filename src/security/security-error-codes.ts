import { declareErrorCodes } from '../core/errors.js';

/** The error codes of security, with their categories (see ADR 0017). */
export const SECURITY_ERROR_CODES = declareErrorCodes({
  'security.path_outside_workspace': 'forbidden',
  'security.symlink_loop': 'invalid',
  'security.workspace_not_found': 'system',
  'permission.denied': 'forbidden',
  'regex.too_costly': 'invalid',
  'permission.tenant_denied': 'forbidden',
  'auth.rate_limited': 'rate_limited',
  'key.not_found': 'not_found',
  'key.invalid': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    security: typeof SECURITY_ERROR_CODES;
  }
}
