import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the HTTP server, with their categories (see ADR 0017). */
export const SERVER_ERROR_CODES = declareErrorCodes({
  'request.invalid_json': 'invalid',
  'request.forbidden_origin': 'forbidden',
  'request.forbidden_host': 'forbidden',
  'request.too_large': 'too_large',
  'request.timeout': 'unavailable',
  'request.unsupported_media_type': 'unsupported',
  'route.not_found': 'not_found',
  'route.method_not_allowed': 'unsupported',
  'auth.required': 'unauthenticated',
  'server.auth_required': 'invalid',
  'server.weak_token': 'invalid',
  'server.port_in_use': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    server: typeof SERVER_ERROR_CODES;
  }
}
