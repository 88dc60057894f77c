import { AgentdError } from '../../core/errors.js';
import { guardedFetch } from '../../security/index.js';
import type { GuardedRequest, NetGuard } from '../../security/index.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A `fetch` for the A2A SDK that sends every request through the SSRF guard (`security.net`): the
 * target is resolved once and checked, redirects are checked hop by hop, bodies are capped. The
 * answer is read whole before it is returned, so a server-sent event stream arrives at its end:
 * the A2A client here uses blocking calls and polling, not streams.
 */
export function fetchThroughGuard(guard: NetGuard, signal?: AbortSignal): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    if (!METHODS.has(method)) {
      throw new AgentdError({ code: 'net.invalid_url', message: `method ${method} is not supported here` });
    }
    const headers: Record<string, string> = {};
    new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).forEach(
      (value, name) => {
        headers[name] = value;
      },
    );
    const body = init?.body;
    if (body !== undefined && body !== null && typeof body !== 'string') {
      throw new AgentdError({
        code: 'net.unsupported_content',
        message: 'only text request bodies are sent',
      });
    }
    const signals = [signal, init?.signal ?? undefined].filter((s): s is AbortSignal => s !== undefined);
    const request: GuardedRequest = {
      method: method as NonNullable<GuardedRequest['method']>,
      headers,
      ...(typeof body === 'string' ? { body } : {}),
      ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
    };
    const answer = await guardedFetch(guard, url, request);
    if (answer.truncated) {
      throw new AgentdError({
        code: 'net.request_failed',
        message: `the answer of ${new URL(answer.url).origin} is larger than security.net.maxBytes`,
      });
    }
    const response = new Response(answer.status === 204 || answer.status === 304 ? null : answer.body, {
      status: answer.status,
      headers: answer.headers,
    });
    Object.defineProperty(response, 'url', { value: answer.url });
    return response;
  };
}
