import type { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';
import { allowedMethods } from './method-not-allowed.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

async function app(): Promise<Hono> {
  t = await createTestRuntime({ script: [{ text: 'done' }] });
  return createApp({ runtime: t.runtime });
}

async function json<B>(res: Response): Promise<B> {
  return (await res.json()) as B;
}

describe('errors that say what to do', () => {
  it('answers a known path with the wrong method 405, listing the allowed ones in Allow', async () => {
    const a = await app();
    const res = await a.request('/v1/tasks', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    const body = await json<ErrorBody>(res);
    expect(body.error.code).toBe('route.method_not_allowed');
    expect(body.error.message).toContain('use GET or POST');
    const cancel = await a.request('/v1/tasks/task_x/cancel');
    expect(cancel.status).toBe(405);
    expect(cancel.headers.get('allow')).toBe('POST');
    // A path no route has stays a 404.
    expect((await a.request('/v1/nothing-here', { method: 'DELETE' })).status).toBe(404);
  });

  it('matches path parameters as one non-empty segment', () => {
    const routes = [
      { method: 'GET', path: '/v1/tasks/:id' },
      { method: 'POST', path: '/v1/tasks/:id/cancel' },
    ];
    expect(allowedMethods(routes, '/v1/tasks/abc')).toEqual(['GET']);
    expect(allowedMethods(routes, '/v1/tasks/')).toEqual([]);
    expect(allowedMethods(routes, '/v1/tasks/abc/cancel')).toEqual(['POST']);
    expect(allowedMethods(routes, '/v1/tasks/abc/other')).toEqual([]);
  });

  it('ignores unknown query parameters (cache busters) but still refuses unknown body fields', async () => {
    const a = await app();
    const list = await a.request('/v1/tasks?_=1712345&limit=5');
    expect(list.status).toBe(200);
    const created = await a.request('/v1/tasks?wait=true&cachebust=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hi' }),
    });
    expect(created.status).toBe(200);
    const unknownBody = await a.request('/v1/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hi', promtp: 'typo' }),
    });
    expect(unknownBody.status).toBe(400);
    expect((await json<ErrorBody>(unknownBody)).error.message).toContain('promtp');
  });

  it('refuses a before cursor that names no task with 400, not an empty page', async () => {
    const a = await app();
    const res = await a.request('/v1/tasks?before=task_does_not_exist');
    expect(res.status).toBe(400);
    const body = await json<ErrorBody>(res);
    expect(body.error.path).toBe('before');
    expect(body.error.message).toContain('task_does_not_exist');
  });

  it('lists the valid values of an enum it refuses', async () => {
    const a = await app();
    const res = await a.request('/v1/tasks?status=done');
    expect(res.status).toBe(400);
    const { message } = (await json<ErrorBody>(res)).error;
    for (const status of ['queued', 'running', 'succeeded', 'failed', 'cancelled']) {
      expect(message).toContain(status);
    }
  });
});
