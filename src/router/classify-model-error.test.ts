import { APICallError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { AgentdError, ModelCallError } from '../core/errors.js';
import { classifyModelError, describeModelFailure } from './classify-model-error.js';

function http(
  statusCode: number | undefined,
  options: { body?: string; headers?: Record<string, string>; message?: string } = {},
) {
  return new APICallError({
    message: options.message ?? `status ${statusCode}`,
    url: 'http://127.0.0.1/v1/chat/completions',
    requestBodyValues: {},
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(options.headers ? { responseHeaders: options.headers } : {}),
    ...(options.body ? { responseBody: options.body } : {}),
    isRetryable: statusCode === undefined || statusCode === 429 || statusCode >= 500,
  });
}

describe('classifyModelError', () => {
  it.each([
    [http(429), 'rate_limit', true, true],
    [http(408), 'timeout', true, true],
    [http(504), 'timeout', true, true],
    [http(500), 'server', true, true],
    [http(503), 'server', true, true],
    [http(529), 'server', true, true],
    [http(401), 'auth', false, false],
    [http(403), 'auth', false, false],
    [http(404), 'config', false, false],
    [
      http(400, {
        body: '{"error":{"code":"context_length_exceeded","message":"This model\'s maximum context length is 8192 tokens"}}',
      }),
      'context_length',
      false,
      true,
    ],
    [
      http(400, { message: 'prompt is too long: 210000 tokens > 200000 maximum' }),
      'context_length',
      false,
      true,
    ],
    [http(413), 'context_length', false, true],
    [
      http(400, { body: '{"error":{"code":"content_filter","message":"The response was filtered"}}' }),
      'content_policy',
      false,
      true,
    ],
    [http(400, { body: '{"error":{"code":"content_policy_violation"}}' }), 'content_policy', false, true],
    [
      http(400, {
        body: '{"error":{"code":"model_not_found","message":"The model `gpt-9` does not exist"}}',
      }),
      'config',
      false,
      false,
    ],
    [
      http(400, { body: '{"error":{"message":"temperature must be at most 2"}}' }),
      'bad_request',
      false,
      false,
    ],
    [http(422), 'bad_request', false, false],
  ] as const)('%s → %s (retryable %s, fallback %s)', (error, kind, retryable, fallback) => {
    const classified = classifyModelError(error);
    expect(classified).toMatchObject({ class: kind, retryable, fallback });
    expect(classified.status).toBe(error.statusCode);
  });

  it('reads retry-after-ms, Retry-After seconds and an HTTP-date Retry-After', () => {
    expect(classifyModelError(http(429, { headers: { 'retry-after-ms': '250' } })).retryAfterMs).toBe(250);
    expect(classifyModelError(http(429, { headers: { 'Retry-After': '3' } })).retryAfterMs).toBe(3000);
    const now = Date.parse('2026-11-22T12:00:00Z');
    const date = new Date(now + 7000).toUTCString();
    expect(classifyModelError(http(429, { headers: { 'retry-after': date } }), now).retryAfterMs).toBe(7000);
    expect(classifyModelError(http(503, { headers: { 'retry-after': '1' } })).retryAfterMs).toBe(1000);
    expect(
      classifyModelError(http(429, { headers: { 'retry-after': 'soon' } })).retryAfterMs,
    ).toBeUndefined();
  });

  it('classifies network failures by their system error code, also through a fetch TypeError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(classifyModelError(refused)).toMatchObject({
      class: 'connection',
      retryable: true,
      fallback: true,
    });
    const fetchFailed = new TypeError('fetch failed', { cause: refused });
    expect(classifyModelError(fetchFailed).class).toBe('connection');
    expect(classifyModelError(new TypeError('fetch failed')).class).toBe('connection');
    expect(classifyModelError(http(undefined)).class).toBe('connection');
  });

  it('classifies by a wrapped cause', () => {
    const wrapped = new Error('stream failed', { cause: http(429) });
    expect(classifyModelError(wrapped).class).toBe('rate_limit');
  });

  it('knows timeouts, cancellation, open circuits, and calls everything else unknown', () => {
    // A deadline that already ran out is not waited out again on the same model: fall back instead.
    expect(classifyModelError(new AgentdError({ code: 'model.timeout', message: 'slow' }))).toMatchObject({
      class: 'timeout',
      retryable: false,
      fallback: true,
    });
    expect(classifyModelError(new DOMException('timed out', 'TimeoutError'))).toMatchObject({
      class: 'timeout',
      retryable: false,
    });
    expect(
      classifyModelError(
        new APICallError({ message: 'gateway timeout', url: 'x', requestBodyValues: {}, statusCode: 504 }),
      ).retryable,
    ).toBe(true);
    expect(classifyModelError(new DOMException('aborted', 'AbortError'))).toMatchObject({
      class: 'cancelled',
      fallback: false,
    });
    expect(
      classifyModelError(new AgentdError({ code: 'model.circuit_open', message: 'open' })),
    ).toMatchObject({
      class: 'circuit_open',
      retryable: false,
      fallback: true,
    });
    expect(classifyModelError(new Error('provider exploded'))).toMatchObject({
      class: 'unknown',
      retryable: false,
      fallback: true,
      message: 'provider exploded',
    });
  });

  it('retries a first-token or stall timeout, which says it may be retried', () => {
    const stalled = new ModelCallError({ code: 'model.timeout', retryable: true, message: 'no first token' });
    expect(classifyModelError(stalled)).toMatchObject({ class: 'timeout', retryable: true, fallback: true });
  });

  it('routes a stream broken off after its text was shown like what broke it, else as a connection failure', () => {
    const reset = Object.assign(new TypeError('terminated'), {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const interrupted = (cause: unknown) =>
      new ModelCallError({
        code: 'model.stream_interrupted',
        retryable: true,
        message: 'm: the answer broke off',
        cause,
      });
    expect(classifyModelError(interrupted(reset))).toMatchObject({
      class: 'connection',
      retryable: true,
      fallback: true,
      message: 'm: the answer broke off',
    });
    const stalled = new ModelCallError({ code: 'model.timeout', retryable: true, message: 'stalled' });
    expect(classifyModelError(interrupted(stalled))).toMatchObject({ class: 'timeout', retryable: true });
    expect(classifyModelError(interrupted(new Error('?')))).toMatchObject({
      class: 'connection',
      retryable: true,
    });
  });

  it('describes a failure with its code: an AgentdError’s own, else its class’s', () => {
    expect(describeModelFailure(http(429))).toMatchObject({
      code: 'model.rate_limited',
      class: 'rate_limit',
      status: 429,
    });
    expect(describeModelFailure(http(500))).toMatchObject({
      code: 'model.call_failed',
      class: 'server',
      status: 500,
    });
    expect(describeModelFailure(new DOMException('x', 'TimeoutError'))).toMatchObject({
      code: 'model.timeout',
    });
    expect(describeModelFailure(new AgentdError({ code: 'budget.exceeded', message: 'x' }))).toMatchObject({
      code: 'budget.exceeded',
      class: 'unknown',
    });
  });
});
