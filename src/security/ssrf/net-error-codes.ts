import { declareErrorCodes } from '../../core/errors.js';

/** The error codes of guarded outbound requests, with their categories (see ADR 0017). */
export const NET_ERROR_CODES = declareErrorCodes({
  /** The URL, a name it resolves to, its port or a redirect points somewhere agentd must not go. */
  'net.blocked': 'forbidden',
  /** The text is not an absolute http(s) URL. */
  'net.invalid_url': 'invalid',
  /** More redirects than `security.net.maxRedirects`. */
  'net.redirect_limit': 'forbidden',
  /** The server did not answer within the time limit. */
  'net.timeout': 'upstream',
  /** The connection or the exchange failed (refused, reset, TLS). */
  'net.request_failed': 'upstream',
  /** The answer's content type is not one the caller reads. */
  'net.unsupported_content': 'unsupported',
});

declare module '../../core/errors.js' {
  interface ErrorCodeTables {
    net: typeof NET_ERROR_CODES;
  }
}
