import { declareErrorCodes } from '../core/errors.js';

/** The error codes of models: ids, providers, the catalog, model calls and embeddings, with their categories (see ADR 0017). */
export const MODEL_ERROR_CODES = declareErrorCodes({
  'model.invalid_id': 'invalid',
  'model.unknown_provider': 'invalid',
  'model.no_default': 'invalid',
  'model.not_found': 'invalid',
  'model.auth_failed': 'invalid',
  'model.bad_request': 'invalid',
  'model.context_too_long': 'invalid',
  'model.rate_limited': 'upstream',
  'model.timeout': 'upstream',
  'model.unreachable': 'upstream',
  'model.call_failed': 'upstream',
  'model.refused': 'upstream',
  'model.stream_interrupted': 'upstream',
  'model.circuit_open': 'upstream',
  'provider.unavailable': 'invalid',
  'catalog.invalid': 'invalid',
  'embedding.auth': 'invalid',
  'embedding.invalid_options': 'invalid',
  'embedding.dimensions_unknown': 'system',
  'embedding.dimension_mismatch': 'upstream',
  'embedding.invalid_response': 'upstream',
  'embedding.timeout': 'upstream',
  'embedding.unreachable': 'upstream',
  'embedding.failed': 'upstream',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    models: typeof MODEL_ERROR_CODES;
  }
}
