import { declareErrorCodes } from '../core/errors.js';

/** The error codes of the router, with their categories (see ADR 0017). */
export const ROUTER_ERROR_CODES = declareErrorCodes({
  'router.no_candidate': 'invalid',
  'router.invalid_stat': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    router: typeof ROUTER_ERROR_CODES;
  }
}
