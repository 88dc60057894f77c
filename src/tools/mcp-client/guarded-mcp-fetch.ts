import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { guardedFetch } from '../../security/index.js';
import type { NetGuard } from '../../security/index.js';

const METHODS = new Set(['POST', 'DELETE']);

/**
 * A fetch for the SDK's Streamable HTTP transport that sends every request through the
 * outbound-request guard (each hop checked, the checked address connected to). The guarded client
 * reads whole bodies, so a POST answered with an event stream works once the server ends it (as it
 * does after the response); the standalone GET stream for server-initiated messages, which would
 * never end, is answered with 405 here, which the SDK reads as "the server offers none".
 */
export function guardedMcpFetch(guard: NetGuard): FetchLike {
  return async (url, init) => {
    const method = (init?.method ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) return new Response(null, { status: 405 });
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const answer = await guardedFetch(guard, url, {
      method: method as 'POST' | 'DELETE',
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(init?.signal ? { signal: init.signal } : {}),
    });
    const empty = answer.status === 204 || answer.status === 304 || answer.body.length === 0;
    return new Response(empty ? null : new Uint8Array(answer.body), {
      status: answer.status,
      headers: answer.headers,
    });
  };
}
