import { afterEach, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';

const TOKEN = 'Zm9vYmFyLWJhei1xdXV4LWNvcmdlLWdyYXVsdC1nYXJwbHk';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** A settable clock shared by the runtime (key expiry, last use) and the app (rate limits). */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

async function setUp(options: { config?: Record<string, unknown>; authToken?: string | null } = {}) {
  const clock = manualClock();
  t = await createTestRuntime({
    script: [{ text: 'done' }],
    runtime: { clock },
    ...(options.config ? { config: options.config } : {}),
  });
  const token = options.authToken === null ? undefined : (options.authToken ?? TOKEN);
  const app = createApp({ runtime: t.runtime, clock, ...(token ? { authToken: token } : {}) });
  return { app, clock, runtime: t.runtime };
}

/** A request as from `client` (the TCP peer address the server sees). */
async function call(
  app: Hono,
  path: string,
  options: { key?: string; method?: string; body?: unknown; client?: string } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await app.request(
    path,
    {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(options.key !== undefined ? { authorization: `Bearer ${options.key}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    },
    { incoming: { socket: { remoteAddress: options.client ?? '198.51.100.7' } } },
  );
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function newKey(app: Hono, body: Record<string, unknown>): Promise<string> {
  const created = await call(app, '/v1/keys', { key: TOKEN, body });
  expect(created.status).toBe(201);
  return created.body['key'] as string;
}

describe('API keys over HTTP', () => {
  it('creates a key shown once, lists it without secret, and the key acts with its role only', async () => {
    const { app, runtime } = await setUp();
    const key = await newKey(app, { name: 'ci', role: 'operator' });
    expect(key).toMatch(/^agd_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);

    const listed = await call(app, '/v1/keys', { key: TOKEN });
    const keys = listed.body['keys'] as Record<string, unknown>[];
    expect(keys.map((k) => [k['name'], k['role'], k['prefix']])).toEqual([
      ['ci', 'operator', key.slice(0, 12)],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(13));
    expect(keys[0]).not.toHaveProperty('hash');

    // An operator runs tasks and reads them...
    expect((await call(app, '/v1/tasks', { key, body: { prompt: 'hi' } })).status).toBe(202);
    expect((await call(app, '/v1/tasks', { key })).status).toBe(200);
    // ...but may not read the audit log: 403 naming the permission, and the refusal is audited.
    const denied = await call(app, '/v1/audit', { key });
    expect(denied.status).toBe(403);
    expect(denied.body['error']).toMatchObject({ code: 'permission.denied' });
    expect(JSON.stringify(denied.body)).toContain("'audit.read'");
    const forbidden = await runtime.audit.list({ action: 'auth.forbidden' });
    expect(forbidden.map((e) => [e.actor, e.target, e.details])).toEqual([
      ['key:ci', 'audit.list', { code: 'permission.denied', permission: 'audit.read' }],
    ]);
    // Who created the task is the key, in the audit log.
    const created = await runtime.audit.list({ action: 'task.create' });
    expect(created.map((e) => e.actor)).toEqual(['key:ci']);
  });

  it('refuses a revoked key and an expired one with 401', async () => {
    const { app, clock } = await setUp();
    const revoked = await newKey(app, { name: 'old', role: 'viewer' });
    const expiring = await newKey(app, { name: 'brief', role: 'viewer', expires: '1h' });
    expect((await call(app, '/v1/tasks', { key: revoked })).status).toBe(200);
    expect((await call(app, '/v1/keys/old/revoke', { key: TOKEN, method: 'POST' })).status).toBe(200);
    expect((await call(app, '/v1/tasks', { key: revoked })).status).toBe(401);

    expect((await call(app, '/v1/tasks', { key: expiring })).status).toBe(200);
    clock.advance(3_600_000);
    expect((await call(app, '/v1/tasks', { key: expiring })).status).toBe(401);
  });

  it('holds a presented key to its role on a server without a token, and refuses a bad one', async () => {
    const { app, runtime } = await setUp({ authToken: null });
    const { key } = await runtime.keys.create({ name: 'view', role: 'viewer' });
    expect((await call(app, '/v1/tasks', { body: { prompt: 'local' } })).status).toBe(202);
    expect((await call(app, '/v1/tasks', { key, body: { prompt: 'hi' } })).status).toBe(403);
    expect((await call(app, '/v1/tasks', { key: 'agd_00000000_nope' })).status).toBe(401);
  });
});

describe('failed authentication', () => {
  it('answers 401 with WWW-Authenticate: Bearer and audits the attempt without the credential', async () => {
    const { app, runtime } = await setUp();
    const wrong = 'agd_0badc0de_' + 'x'.repeat(43);
    const res = await call(app, '/v1/tasks', { key: wrong, client: '203.0.113.9' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body['error']).toMatchObject({ code: 'auth.required' });
    expect((await call(app, '/v1/tasks', { client: '203.0.113.9' })).status).toBe(401);

    const failed = await runtime.audit.list({ action: 'auth.failed' });
    expect(failed.map((e) => [e.actor, e.target, e.details])).toEqual([
      ['client:203.0.113.9', 'GET /v1/tasks', { client: '203.0.113.9', reason: 'missing' }],
      [
        'client:203.0.113.9',
        'GET /v1/tasks',
        { client: '203.0.113.9', reason: 'rejected', prefix: 'agd_0badc0de' },
      ],
    ]);
    expect(JSON.stringify(failed)).not.toContain('x'.repeat(43));
  });

  it('locks out a client after a burst of failures with 429 and Retry-After, even for the right token, until it refills', async () => {
    const { app, clock, runtime } = await setUp({
      config: { security: { auth: { failedAuth: { burst: 3, perMinute: 6 } } } },
    });
    for (let i = 0; i < 3; i++)
      expect((await call(app, '/v1/tasks', { key: `guess-${i}` })).status).toBe(401);
    const locked = await call(app, '/v1/tasks', { key: TOKEN });
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBe('10');
    expect(locked.body['error']).toMatchObject({ code: 'auth.rate_limited' });
    expect((await call(app, '/v1/tasks', { key: 'guess-4' })).status).toBe(429);
    // Another client is not affected, and health stays open.
    expect((await call(app, '/v1/tasks', { key: TOKEN, client: '198.51.100.99' })).status).toBe(200);
    expect((await call(app, '/v1/health')).status).toBe(200);
    // One audit event for the lock-out, not one per refused request.
    expect(await runtime.audit.list({ action: 'auth.rate_limited' })).toHaveLength(1);

    clock.advance(10_000);
    expect((await call(app, '/v1/tasks', { key: TOKEN })).status).toBe(200);
  });
});

describe('failed authentication from IPv6', () => {
  it('counts a /64 as one client, so rotating addresses inside it does not refill the bucket', async () => {
    const { app, runtime } = await setUp({
      config: { security: { auth: { failedAuth: { burst: 3, perMinute: 6 } } } },
    });
    for (let i = 1; i <= 3; i++) {
      const guess = await call(app, '/v1/tasks', { key: `guess-${i}`, client: `2001:db8:1:2::${i}` });
      expect(guess.status).toBe(401);
    }
    const next = await call(app, '/v1/tasks', { key: 'guess-4', client: '2001:db8:1:2:ffff::4' });
    expect(next.status).toBe(429);
    // Another /64, and an IPv4 client, keep their own buckets; the audit keeps the full address.
    expect((await call(app, '/v1/tasks', { key: TOKEN, client: '2001:db8:1:3::1' })).status).toBe(200);
    expect((await call(app, '/v1/tasks', { key: TOKEN, client: '::ffff:203.0.113.5' })).status).toBe(200);
    const failed = await runtime.audit.list({ action: 'auth.failed' });
    expect(failed.map((e) => e.actor)).toContain('client:2001:db8:1:2::3');
  });
});

describe('per-key rate limits', () => {
  it('answers 429 with Retry-After once a key spends its bucket; other keys are unaffected', async () => {
    const { app, clock } = await setUp({
      config: { security: { auth: { keyRateLimit: { burst: 2, perSecond: 0.5 } } } },
    });
    const key = await newKey(app, { name: 'busy', role: 'viewer' });
    expect((await call(app, '/v1/tasks', { key })).status).toBe(200);
    expect((await call(app, '/v1/tasks', { key })).status).toBe(200);
    const limited = await call(app, '/v1/tasks', { key });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body['error']).toMatchObject({ code: 'auth.rate_limited' });
    // The token is a key of its own (it spent one request creating the key above).
    expect((await call(app, '/v1/tasks', { key: TOKEN })).status).toBe(200);
    clock.advance(2_000);
    expect((await call(app, '/v1/tasks', { key })).status).toBe(200);
  });

  it('can be turned off', async () => {
    const { app } = await setUp({
      config: { security: { auth: { keyRateLimit: { enabled: false, burst: 1, perSecond: 0.001 } } } },
    });
    for (let i = 0; i < 5; i++) expect((await call(app, '/v1/tasks', { key: TOKEN })).status).toBe(200);
  });
});
