import { afterEach, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { z } from 'zod';
import type { FakeCall, FakeTurn } from '../testing/fake-language-model.js';
import { defineTool } from '../tools/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { createApp } from './create-app.js';

const TOKEN = 'Zm9vYmFyLWJhei1xdXV4LWNvcmdlLWdyYXVsdC1nYXJwbHk';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

async function call(
  app: Hono,
  path: string,
  options: { key: string; body?: unknown },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.request(path, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${options.key}`,
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A server with memories and a task in two tenants, and keys bound to `acme`. */
async function twoTenants() {
  t = await createTestRuntime({ script: () => ({ text: 'done' }) });
  const app = createApp({ runtime: t.runtime, authToken: TOKEN });
  const add = async (tenant: string, content: string) => {
    const res = await call(app, '/v1/memory', { key: TOKEN, body: { content, tenant } });
    expect(res.status).toBe(201);
    return (res.body['memory'] as { id: string }).id;
  };
  const acmeMemory = await add('acme', 'The acme deploy server sits in rack twelve of the east hall.');
  const otherMemory = await add('other', 'The other deploy server sits in rack nine of the west hall.');
  const otherTask = await call(app, '/v1/tasks?wait=true', {
    key: TOKEN,
    body: { prompt: 'other tenant work', tenant: 'other' },
  });
  const operator = (await t.runtime.keys.create({ name: 'acme-op', role: 'operator', tenant: 'acme' })).key;
  const admin = (await t.runtime.keys.create({ name: 'acme-admin', role: 'admin', tenant: 'acme' })).key;
  return {
    app,
    runtime: t.runtime,
    acmeMemory,
    otherMemory,
    otherTaskId: otherTask.body['id'] as string,
    operator,
    admin,
  };
}

describe('a key bound to a tenant', () => {
  it('gets 403 for another tenant named in a memory search, and only its own memories otherwise', async () => {
    const { app, operator } = await twoTenants();
    const other = await call(app, '/v1/memory?q=deploy&tenant=other', { key: operator });
    expect(other.status).toBe(403);
    expect(other.body['error']).toMatchObject({ code: 'permission.tenant_denied' });
    expect(JSON.stringify(other.body)).not.toContain('west hall');

    const own = await call(app, '/v1/memory?q=deploy', { key: operator });
    expect(own.status).toBe(200);
    const results = own.body['results'] as { memory: { tenant: string; content: string } }[];
    expect(results.map((r) => r.memory.tenant)).toEqual(['acme']);
    expect((await call(app, '/v1/memory?q=deploy&tenant=acme', { key: operator })).status).toBe(200);
    // The admin token still sees any tenant it names.
    const unbound = await call(app, '/v1/memory?q=deploy&tenant=other', { key: TOKEN });
    expect((unbound.body['results'] as unknown[]).length).toBe(1);
  });

  it('cannot read, change or forget another tenant’s memory by id', async () => {
    const { app, operator, otherMemory, acmeMemory } = await twoTenants();
    expect((await call(app, `/v1/memory/${otherMemory}`, { key: operator })).status).toBe(404);
    expect((await call(app, `/v1/memory/${acmeMemory}`, { key: operator })).status).toBe(200);
    expect((await call(app, `/v1/memory/${otherMemory}?tenant=other`, { key: operator })).status).toBe(403);
    const edit = await call(app, `/v1/memory/${otherMemory}`, { key: operator, body: { importance: 1 } });
    expect(edit.status).toBe(404);
    expect((await call(app, `/v1/memory/stats?tenant=other`, { key: operator })).status).toBe(403);
  });

  it('sees only its tenant’s tasks, submits into its tenant, and cannot reach another tenant’s task', async () => {
    const { app, runtime, operator, otherTaskId } = await twoTenants();
    expect((await call(app, '/v1/tasks', { key: TOKEN })).body['tasks']).toHaveLength(1);
    expect((await call(app, '/v1/tasks', { key: operator })).body['tasks']).toEqual([]);
    expect((await call(app, '/v1/tasks?tenant=other', { key: operator })).status).toBe(403);
    expect((await call(app, `/v1/tasks/${otherTaskId}`, { key: operator })).status).toBe(404);
    expect((await call(app, `/v1/tasks/${otherTaskId}/spans`, { key: operator })).status).toBe(404);
    expect((await call(app, `/v1/tasks/${otherTaskId}/events`, { key: operator })).status).toBe(404);
    expect((await call(app, `/v1/tasks/${otherTaskId}/cancel`, { key: operator, body: {} })).status).toBe(
      404,
    );

    const refused = await call(app, '/v1/tasks', { key: operator, body: { prompt: 'x', tenant: 'other' } });
    expect(refused.status).toBe(403);
    const own = await call(app, '/v1/tasks', { key: operator, body: { prompt: 'mine' } });
    expect(own.status).toBe(202);
    const id = own.body['id'] as string;
    expect(await runtime.tasks.tenantOf(id)).toBe('acme');
    const listed = (await call(app, '/v1/tasks', { key: operator })).body['tasks'] as { id: string }[];
    expect(listed.map((task) => task.id)).toEqual([id]);
    expect((await call(app, `/v1/tasks/${id}`, { key: operator })).status).toBe(200);
  });

  it('reads only its tenant’s audit events, and may not manage keys or act on every tenant', async () => {
    const { app, admin } = await twoTenants();
    const audit = await call(app, '/v1/audit', { key: admin });
    expect(audit.status).toBe(200);
    const tenants = new Set((audit.body['events'] as { tenant: string | null }[]).map((e) => e.tenant));
    expect([...tenants]).toEqual(['acme']);
    expect((await call(app, '/v1/audit?tenant=other', { key: admin })).status).toBe(403);
    expect((await call(app, '/v1/keys', { key: admin })).status).toBe(403);
    expect((await call(app, '/v1/keys', { key: admin, body: { name: 'x', role: 'admin' } })).status).toBe(
      403,
    );
    expect((await call(app, '/v1/memory/reembed', { key: admin, body: {} })).status).toBe(403);
    // The router's statistics sum every tenant's calls and spend.
    expect((await call(app, '/v1/router/stats', { key: admin })).status).toBe(403);
    // Reviews are listed per task for a bound key.
    const reviews = await call(app, '/v1/reviews', { key: admin });
    expect(reviews.status).toBe(403);
    expect(reviews.body['error']).toMatchObject({ code: 'permission.tenant_denied' });
  });

  it('sees its own task cancels in the audit log, recorded in the task’s tenant', async () => {
    t = await createTestRuntime({ script: [{ waitFor: 'forever' }] });
    const app = createApp({ runtime: t.runtime, authToken: TOKEN });
    const admin = (await t.runtime.keys.create({ name: 'acme-admin', role: 'admin', tenant: 'acme' })).key;
    const task = await call(app, '/v1/tasks', { key: admin, body: { prompt: 'wait for ever' } });
    expect(
      (await call(app, `/v1/tasks/${task.body['id'] as string}/cancel`, { key: admin, body: {} })).status,
    ).toBe(200);
    const events = (await call(app, '/v1/audit', { key: admin })).body['events'] as {
      action: string;
      tenant: string;
    }[];
    expect(events.map((e) => [e.action, e.tenant])).toEqual([
      ['task.cancel', 'acme'],
      ['task.create', 'acme'],
      ['key.create', 'acme'],
    ]);
  });

  it('answers reviews of its own tasks only, and the answer is audited in the task’s tenant', async () => {
    const sendEmail = defineTool({
      name: 'send_email',
      description: 'Send an email',
      input: z.object({ to: z.string() }),
      requiresApproval: true,
      execute: async () => ({ sent: true }),
    });
    t = await createTestRuntime({
      script: (c: FakeCall): FakeTurn =>
        /"type":"(json|error-text)"/.test(c.promptText)
          ? { text: 'mail sent' }
          : { toolCalls: [{ toolName: 'send_email', input: { to: 'bob@example.com' } }] },
      runtime: { tools: [sendEmail] },
    });
    const app = createApp({ runtime: t.runtime, authToken: TOKEN });
    const operator = (await t.runtime.keys.create({ name: 'acme-op', role: 'operator', tenant: 'acme' })).key;
    const admin = (await t.runtime.keys.create({ name: 'acme-admin', role: 'admin', tenant: 'acme' })).key;
    const mail = { prompt: 'email bob', agent: { name: 'mailer', tools: ['send_email'] } };
    const other = await call(app, '/v1/tasks?wait=true', { key: TOKEN, body: { ...mail, tenant: 'other' } });
    const own = await call(app, '/v1/tasks?wait=true', { key: operator, body: mail });
    const reviewOf = (task: { body: Record<string, unknown> }) =>
      (task.body['reviews'] as { id: string }[])[0]?.id ?? '';

    const foreign = await call(app, `/v1/reviews/${reviewOf(other)}`, {
      key: operator,
      body: { decision: 'approve' },
    });
    expect(foreign.status).toBe(404);
    const listed = await call(app, `/v1/reviews?taskId=${own.body['id'] as string}`, { key: operator });
    expect((listed.body['reviews'] as { id: string }[]).map((r) => r.id)).toEqual([reviewOf(own)]);
    expect(
      (await call(app, `/v1/reviews?taskId=${other.body['id'] as string}`, { key: operator })).status,
    ).toBe(404);
    const answered = await call(app, `/v1/reviews/${reviewOf(own)}`, {
      key: operator,
      body: { decision: 'approve' },
    });
    expect(answered.status).toBe(200);

    const events = (await call(app, '/v1/audit?action=review.answer', { key: admin })).body['events'] as {
      actor: string;
      tenant: string;
    }[];
    expect(events.map((e) => [e.actor, e.tenant])).toEqual([['key:acme-op', 'acme']]);
  });
});
