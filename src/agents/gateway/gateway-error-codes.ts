import { declareErrorCodes } from '../../core/errors.js';

/** The error codes of the OpenAI-compatible gateway, with their categories (see ADR 0017). */
export const GATEWAY_ERROR_CODES = declareErrorCodes({
  'gateway.invalid_request': 'invalid',
  'gateway.unsupported': 'invalid',
  'gateway.model_not_found': 'not_found',
  'gateway.key_invalid': 'unauthenticated',
  'gateway.forbidden': 'forbidden',
  'gateway.stream_restarted': 'upstream',
  'gateway.too_large': 'too_large',
  'gateway.no_embeddings': 'invalid',
  'gateway.task_ended': 'halt',
});

declare module '../../core/errors.js' {
  interface ErrorCodeTables {
    gateway: typeof GATEWAY_ERROR_CODES;
  }
}
