import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../core/logger.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';
import { errorResponse } from './error-response.js';
import { mountRoute } from './mount-route.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

interface Logged {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

function recordingLogger(): { logger: Logger; lines: Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      lines.push({ level, message, fields });
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

async function appWithLog(authToken?: string) {
  t = await createTestRuntime({ script: [{ text: 'done' }] });
  const { logger, lines } = recordingLogger();
  const app = createApp({ runtime: t.runtime, logger, ...(authToken ? { authToken } : {}) });
  return { app, lines };
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

describe('security headers', () => {
  it('are on every answer: success, config, memory, refusals, unknown routes and errors', async () => {
    const { app } = await appWithLog();
    const answers = await Promise.all([
      app.request('/v1/health'),
      app.request('/v1/config'),
      app.request('/v1/memory?q=anything'),
      app.request('/v1/memory/stats'),
      app.request('/v1/openapi.json'),
      app.request('/v1/tasks/unknown'),
      app.request('/nowhere'),
      app.request('/v1/tasks', {
        method: 'POST',
        body: '{',
        headers: { 'content-type': 'application/json' },
      }),
      app.request('/v1/tasks', { headers: { origin: 'https://evil.example' } }),
    ]);
    for (const res of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        expect(`${res.url} ${name}: ${res.headers.get(name)}`).toBe(`${res.url} ${name}: ${value}`);
      }
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 404, 404, 400, 403]);
  });

  it('are on a 401 too, beside the Bearer challenge', async () => {
    const { app } = await appWithLog('a'.repeat(43));
    const res = await app.request('/v1/tasks');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('request ids and the request log', () => {
  it('answers with an X-Request-Id, puts it in error bodies, and logs one line per request with it', async () => {
    const { app, lines } = await appWithLog();
    const ok = await app.request('/v1/health');
    const id = ok.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    const missing = await app.request('/v1/tasks/unknown');
    const body = (await missing.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('task.not_found');
    expect(body.error.requestId).toBe(missing.headers.get('x-request-id'));

    const requests = lines.filter((l) => l.message === 'request');
    expect(requests.map((l) => [l.level, l.fields['method'], l.fields['path'], l.fields['status']])).toEqual([
      ['info', 'GET', '/v1/health', 200],
      ['info', 'GET', '/v1/tasks/unknown', 404],
    ]);
    expect(requests[0]?.fields['requestId']).toBe(id);
    expect(requests[1]?.fields['requestId']).toBe(body.error.requestId);
    expect(typeof requests[0]?.fields['ms']).toBe('number');
  });

  it("keeps a client's plain request id and replaces one that could forge a log line", async () => {
    const { app } = await appWithLog();
    const kept = await app.request('/v1/health', { headers: { 'x-request-id': 'client-trace-42' } });
    expect(kept.headers.get('x-request-id')).toBe('client-trace-42');
    const forged = await app.request('/v1/health', {
      headers: { 'x-request-id': 'a b agentd: error: forged' },
    });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const long = await app.request('/v1/health', { headers: { 'x-request-id': 'x'.repeat(65) } });
    expect(long.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs a 5xx with its request id, and the client gets the same id', () => {
    const { body } = errorResponse(new Error('boom'), 'req-1');
    expect(body.error).toEqual({
      code: 'internal.error',
      message: 'internal error; see the server log',
      requestId: 'req-1',
    });
  });
});

describe('limits per route', () => {
  it('refuses a memory body over its own 256 KiB limit with 413, though the server-wide limit is 1 MiB', async () => {
    const { app } = await appWithLog();
    const res = await app.request('/v1/memory', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x'.repeat(300 * 1024) }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('request.too_large');
    expect(body.error.message).toContain('POST /v1/memory');
    const stats = (await (await app.request('/v1/memory/stats')).json()) as {
      layers: Record<string, number>;
    };
    expect(Object.values(stats.layers).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('answers 503 request.timeout with Retry-After when a route outlives its time limit', async () => {
    const app = new Hono();
    app.onError((error, c) => {
      const { status, body, headers } = errorResponse(error);
      return c.json(body, status as 503, headers);
    });
    let finish: (() => void) | undefined;
    mountRoute(app, { method: 'GET', path: '/slow', timeLimitMs: 20 }, async (c) => {
      await new Promise<void>((resolve) => (finish = resolve));
      return c.json({ late: true });
    });
    mountRoute(app, { method: 'GET', path: '/fast', timeLimitMs: 20 }, async (c) => c.json({ ok: true }));
    const slow = await app.request('/slow');
    expect(slow.status).toBe(503);
    expect(slow.headers.get('retry-after')).toBe('1');
    expect(((await slow.json()) as { error: { code: string } }).error.code).toBe('request.timeout');
    finish?.();
    expect((await app.request('/fast')).status).toBe(200);
  });
});
