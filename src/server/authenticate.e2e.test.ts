import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { startServer } from './start-server.js';
import type { RunningServer } from './start-server.js';

const TOKEN = 'Zm9vYmFyLWJhei1xdXV4LWNvcmdlLWdyYXVsdC1nYXJwbHk';

let t: TestRuntime | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await t?.dispose();
  server = undefined;
  t = undefined;
});

describe('authentication over a real socket', () => {
  it('locks out the peer address after repeated failures, and audits it by that address', async () => {
    t = await createTestRuntime({
      config: { security: { auth: { failedAuth: { burst: 5, perMinute: 1 } } } },
    });
    server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0, authToken: TOKEN });
    const get = (token: string) =>
      fetch(`${server?.url}/v1/tasks`, { headers: { authorization: `Bearer ${token}` } });

    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await get(`guess-${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const locked = await get(TOKEN);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

    const failed = await t.runtime.audit.list({ action: 'auth.failed' });
    expect(failed).toHaveLength(5);
    expect(failed.map((e) => e.actor)).toEqual(Array(5).fill('client:127.0.0.1'));
  });

  it('serves an API key created through the API, and a revoked one no longer', async () => {
    t = await createTestRuntime();
    server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0, authToken: TOKEN });
    const created = await fetch(`${server.url}/v1/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'dash', role: 'viewer' }),
    });
    expect(created.status).toBe(201);
    const { key, id } = (await created.json()) as { key: string; id: string };
    const asKey = (path: string, method = 'GET') =>
      fetch(`${server?.url}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
    expect((await asKey('/v1/tasks')).status).toBe(200);
    expect((await asKey('/v1/config')).status).toBe(403);
    const revoke = await fetch(`${server.url}/v1/keys/${id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(revoke.status).toBe(200);
    expect((await asKey('/v1/tasks')).status).toBe(401);
  });
});
