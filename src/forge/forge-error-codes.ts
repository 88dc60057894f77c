import { declareErrorCodes } from '../core/errors.js';

/** The error codes of Forge (team design), with their categories (see ADR 0017). */
export const FORGE_ERROR_CODES = declareErrorCodes({
  'forge.invalid_design': 'invalid',
  'forge.invalid_heuristic': 'system',
  'forge.simulated': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    forge: typeof FORGE_ERROR_CODES;
  }
}
