import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { createApp } from './create-app.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function appWithTasks() {
  t = await createTestRuntime({
    script: ({ promptText }) =>
      promptText.includes('forever') ? { waitFor: 'forever', text: 'never' } : { text: 'Done.' },
  });
  const runtime = t.runtime;
  const finished = await runtime.tasks.run({ prompt: 'Say done' });
  const running = await runtime.tasks.submit({ prompt: 'Think forever' });
  await until(async () => (await runtime.tasks.get(running.id)).status === 'running');
  return { app: createApp({ runtime }), finished, running };
}

async function call(app: ReturnType<typeof createApp>, method: string, path: string, body?: unknown) {
  const res = await app.request(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & { error?: { code: string; message: string } },
  };
}

describe('DELETE /v1/tasks/:id', () => {
  it('deletes a finished task (then it is gone), refuses a running one with 409, and 404s an unknown one', async () => {
    const { app, finished, running } = await appWithTasks();

    const deleted = await call(app, 'DELETE', `/v1/tasks/${finished.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({
      id: finished.id,
      deleted: true,
      status: 'succeeded',
      bytesFreed: 0,
    });
    expect((await call(app, 'GET', `/v1/tasks/${finished.id}`)).status).toBe(404);
    expect((await call(app, 'DELETE', `/v1/tasks/${finished.id}`)).status).toBe(404);

    const refused = await call(app, 'DELETE', `/v1/tasks/${running.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('task.not_finished');
    expect((await call(app, 'GET', `/v1/tasks/${running.id}`)).body['status']).toBe('running');
  });
});

describe('POST /v1/tasks/prune', () => {
  it('lists in a dry run, and refuses a duration it cannot read with 400 naming the format', async () => {
    const { app, finished } = await appWithTasks();

    // Everything here finished moments ago: a day's cutoff keeps it.
    const none = await call(app, 'POST', '/v1/tasks/prune', { olderThan: '1d', dryRun: true });
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ dryRun: true, removed: 0, tasks: [] });

    const bad = await call(app, 'POST', '/v1/tasks/prune', { olderThan: '30 days' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.message).toMatch(/90m, 12h, 30d or 2w/);
    const badStatus = await call(app, 'POST', '/v1/tasks/prune', { olderThan: '1d', status: ['running'] });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error?.message).toMatch(/succeeded/);
    expect((await call(app, 'GET', `/v1/tasks/${finished.id}`)).status).toBe(200);
  });
});
