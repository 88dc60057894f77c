import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { AgentdError } from '../../core/errors.js';
import './net-error-codes.js';
import type { CheckedTarget, NetGuard } from './net-guard.js';

/** One outbound request through {@link guardedFetch}. */
export interface GuardedRequest {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Request headers; hop-by-hop ones, Host and Content-Length are set by the client and dropped here. */
  headers?: Readonly<Record<string, string>>;
  body?: string | Uint8Array;
  /** Cancels the request (a cancelled task); its reason is rethrown as it is. */
  signal?: AbortSignal;
  /** Time limit of the whole exchange including redirects, ms (default and cap: the guard's `timeoutMs`). */
  timeoutMs?: number;
  /** Body bytes read at most (default and cap: the guard's `maxBytes`). */
  maxBytes?: number;
  /**
   * Certificate authorities trusted for https instead of Node's bundled ones (a private CA of an
   * allow-listed service, or a test's self-signed certificate); the name is checked either way.
   */
  ca?: string | Buffer;
}

/** The answer of a guarded request. */
export interface GuardedResponse {
  /** The URL that answered, after redirects. */
  url: string;
  status: number;
  /** Response headers, names in lower case (repeated ones joined with ', '). */
  headers: Record<string, string>;
  body: Buffer;
  /** Whether the body was cut off at the byte limit. */
  truncated: boolean;
  /** The checked address the last request connected to. */
  address: string;
  /** Redirects followed. */
  redirects: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers the client owns: framing, connection management and the Host that must match the checked name. */
const DROPPED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
  'accept-encoding',
]);
/** Credentials that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
// Custom credential headers (`X-API-Key`, `X-Auth-Token`: an MCP server's configured headers, a
// model's request) by the names agentd's config treats as credentials.
const CREDENTIAL_LIKE = /auth|key|token|secret|password|cookie|session|credential/i;

/**
 * Fetches `url` through `guard`: each hop is checked (the first URL and every redirect, up to
 * `maxRedirects`), and the socket connects to the address the check approved, never to a second
 * lookup of the name (so DNS rebinding cannot switch it); the TLS server name and Host header stay
 * the name. Bodies are read up to a byte limit, uncompressed (`Accept-Encoding: identity`, so no
 * decompression bomb), within one time limit.
 */
export async function guardedFetch(
  guard: NetGuard,
  url: string | URL,
  request: GuardedRequest = {},
): Promise<GuardedResponse> {
  const timeoutMs = Math.min(request.timeoutMs ?? guard.config.timeoutMs, guard.config.timeoutMs);
  const maxBytes = Math.min(request.maxBytes ?? guard.config.maxBytes, guard.config.maxBytes);
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
  const failed = (error: unknown): unknown => {
    if (request.signal?.aborted) return request.signal.reason;
    if (deadline.aborted) {
      return new AgentdError({
        code: 'net.timeout',
        message: `no complete answer within ${timeoutMs} ms`,
        cause: error,
      });
    }
    return error;
  };

  let method = request.method ?? 'GET';
  let body = request.body;
  let headers = cleanHeaders(request.headers ?? {});
  let current = url;
  for (let redirects = 0; ; redirects += 1) {
    let target: CheckedTarget;
    let answer: RawAnswer;
    try {
      // A resolver that never answers must not outlive the time limit either.
      target = await untilAborted(guard.check(current), signal);
      answer = await send(target, { method, headers, body, signal, maxBytes, ca: request.ca });
    } catch (error) {
      throw failed(error);
    }
    const location = answer.headers['location'];
    if (!REDIRECTS.has(answer.status) || location === undefined) {
      return { ...answer, url: target.url.href, address: target.address, redirects };
    }
    if (redirects >= guard.config.maxRedirects) {
      throw new AgentdError({
        code: 'net.redirect_limit',
        message: `more than ${guard.config.maxRedirects} redirects (last to ${target.url.origin})`,
      });
    }
    let next: URL;
    try {
      next = new URL(location, target.url);
    } catch {
      throw new AgentdError({
        code: 'net.invalid_url',
        message: `redirect to an invalid URL '${location.slice(0, 200)}'`,
      });
    }
    // As browsers do: 303 turns anything into GET, and 301/302 turn a POST into GET, without the body.
    if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
      if (method !== 'HEAD') method = 'GET';
      body = undefined;
      headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('content-')));
    }
    if (next.origin !== target.url.origin) {
      headers = Object.fromEntries(
        Object.entries(headers).filter(
          ([name]) => !CREDENTIAL_HEADERS.includes(name) && !CREDENTIAL_LIKE.test(name),
        ),
      );
    }
    current = next;
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  truncated: boolean;
}

function send(
  target: CheckedTarget,
  options: {
    method: string;
    headers: Record<string, string>;
    body: string | Uint8Array | undefined;
    signal: AbortSignal;
    maxBytes: number;
    ca: string | Buffer | undefined;
  },
): Promise<RawAnswer> {
  // The only lookup the socket makes answers with the checked address, whatever name it is asked.
  const pinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) {
      (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  const secure = target.url.protocol === 'https:';
  const headers: Record<string, string> = {
    'user-agent': 'agentd',
    accept: '*/*',
    ...options.headers,
    'accept-encoding': 'identity',
  };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  return new Promise<RawAnswer>((resolve, reject) => {
    const requestOptions: https.RequestOptions = {
      protocol: target.url.protocol,
      host: target.hostname,
      port: target.port,
      path: `${target.url.pathname}${target.url.search}`,
      method: options.method,
      headers,
      lookup: pinned,
      // A fresh agent per request: a pooled socket was opened for some earlier check, not this one.
      agent: false,
      signal: options.signal,
      // TLS: the server name sent and the certificate checked are the URL's name, not the address.
      ...(secure && isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
      ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const req = (secure ? https : http).request(requestOptions, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: flatHeaders(res.headers),
          body: Buffer.concat(chunks),
          truncated,
        });
      res.on('data', (chunk: Buffer) => {
        if (truncated) return;
        const room = options.maxBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size += room;
          truncated = true;
          // Stop reading: the rest of a huge answer is not downloaded.
          res.destroy();
          finish();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', finish);
      res.on('error', (error) => {
        if (!truncated) reject(requestFailed(target, error));
      });
    });
    req.on('error', (error) => reject(options.signal.aborted ? error : requestFailed(target, error)));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

function requestFailed(target: CheckedTarget, error: Error): AgentdError {
  const why = (error as NodeJS.ErrnoException).code ?? error.message;
  return new AgentdError({
    code: 'net.request_failed',
    message: `request to ${target.url.origin} failed (${why})`,
    cause: error,
  });
}

function cleanHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!DROPPED_HEADERS.has(lower)) clean[lower] = value;
  }
  return clean;
}

function flatHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
