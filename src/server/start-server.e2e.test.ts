import { request } from 'node:http';
import { z } from 'zod';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import type { Runtime } from '../runtime/index.js';
import type { TaskResult } from '../executor/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { defineTool } from '../tools/index.js';
import { until } from '../testing/until.js';
import { startServer } from './start-server.js';
import type { RunningServer } from './start-server.js';

let t: TestRuntime | undefined;
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await t?.dispose();
  t = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<AgentdError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AgentdError);
  return error as AgentdError;
}

describe('startServer', () => {
  it('serves the API on a real socket: health and a task submitted with fetch', async () => {
    t = await createTestRuntime({
      script: [{ text: 'over the wire', usage: { inputTokens: 5, outputTokens: 3 } }],
    });
    const server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0 });
    servers.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);

    const health = await fetch(`${server.url}/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', defaultModel: 'fake/scripted' });

    const created = await fetch(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hello over http' }),
    });
    expect(created.status).toBe(200);
    const result = (await created.json()) as TaskResult;
    expect(result).toMatchObject({ status: 'succeeded', output: 'over the wire', modelCalls: 1 });
    expect(t.model.calls[0]?.promptText).toContain('hello over http');
  });

  it('refuses a DNS-rebound Host and a foreign Origin over the socket', async () => {
    t = await createTestRuntime();
    const server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0 });
    servers.push(server);
    const { port } = new URL(server.url);
    // fetch() picks the Host header itself; node:http sends the one a rebinding browser would.
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/v1/tasks', headers }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const rebound = await get({ host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('request.forbidden_host');
    const crossSite = await get({ host: `127.0.0.1:${port}`, origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toContain('request.forbidden_origin');
    expect((await get({ host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('logs server errors to the given logger', async () => {
    t = await createTestRuntime();
    const logged: Record<string, unknown>[] = [];
    const runtime: Runtime = {
      ...t.runtime,
      tasks: { ...t.runtime.tasks, list: () => Promise.reject(new Error('disk on fire')) },
    };
    const logger = {
      ...silentLogger,
      error: (_: string, fields?: Record<string, unknown>) => logged.push(fields ?? {}),
    };
    const server = await startServer({ runtime, host: '127.0.0.1', port: 0, logger });
    servers.push(server);
    const res = await fetch(`${server.url}/v1/tasks`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('disk on fire');
    expect(logged).toEqual([expect.objectContaining({ path: '/v1/tasks', message: 'disk on fire' })]);
  });

  it('answers 503 with Retry-After when the run queue is full, and takes tasks again once it drains', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    t = await createTestRuntime({
      script: [{ text: 'done', waitFor: gate }],
      config: { executor: { maxRunningTasks: 1, maxQueuedTasks: 1 }, memory: { enabled: false } },
    });
    const server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0, backlog: 64 });
    servers.push(server);
    const submit = () =>
      fetch(`${server.url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'queue me' }),
      });
    const running = await submit();
    const queued = await submit();
    expect([running.status, queued.status]).toEqual([202, 202]);
    expect(((await queued.json()) as TaskResult).status).toBe('queued');

    const refused = await submit();
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('task.queue_full');
    expect(body.error.message).toContain('executor.maxQueuedTasks');

    open();
    const { id } = (await running.json()) as TaskResult;
    await t.runtime.tasks.wait(id);
    await until(async () => (await t?.runtime.tasks.list({ status: ['queued', 'running'] }))?.length === 0);
    expect((await submit()).status).toBe(202);
  });

  it('reports a port that is already taken as server.port_in_use', async () => {
    t = await createTestRuntime();
    const first = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0 });
    servers.push(first);
    const port = Number(new URL(first.url).port);
    const error = await rejection(startServer({ runtime: t.runtime, host: '127.0.0.1', port }));
    expect(error.code).toBe('server.port_in_use');
    expect(error.message).toContain(String(port));
  });

  it('requires the configured bearer token over the socket', async () => {
    t = await createTestRuntime();
    const server = await startServer({
      runtime: t.runtime,
      host: '127.0.0.1',
      port: 0,
      authToken: 'socket-token-123',
    });
    servers.push(server);
    expect((await fetch(`${server.url}/v1/tasks`)).status).toBe(401);
    const authorized = await fetch(`${server.url}/v1/tasks`, {
      headers: { authorization: 'Bearer socket-token-123' },
    });
    expect(authorized.status).toBe(200);
  });

  it('closes while an event stream and a waiting request are open, ending both', async () => {
    t = await createTestRuntime({ script: [{ waitFor: 'forever' }] });
    const server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0 });
    const created = await fetch(`${server.url}/v1/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'block' }),
    });
    const { id } = (await created.json()) as TaskResult;
    const events = await fetch(`${server.url}/v1/tasks/${id}/events`);
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('task-start');
    const waiting = fetch(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'block too' }),
    }).then(
      (res) => res.status,
      (error: unknown) => error,
    );
    await until(() => t?.model.calls.length === 2, { message: 'both tasks to call the model' });

    // Would never resolve if open streams and long polls held the server open.
    await server.close();
    // Events buffered before the close may still arrive; the stream must then end (or error).
    let ended = false;
    for (let i = 0; i < 20 && !ended; i++) {
      ended = await reader.read().then(
        (chunk) => chunk.done,
        () => true,
      );
    }
    expect(ended).toBe(true);
    expect(await waiting).toBeInstanceOf(Error);
  });

  it('ends the follower of an event stream whose client leaves before its first event', async () => {
    const approvalNeeded = defineTool({
      name: 'send_email',
      description: 'Send an email',
      input: z.object({ to: z.string() }),
      requiresApproval: true,
      execute: () => Promise.resolve({ sent: true }),
    });
    t = await createTestRuntime({
      script: [{ toolCalls: [{ toolName: 'send_email', input: { to: 'bob@example.com' } }] }],
      runtime: { tools: [approvalNeeded] },
    });
    // Count the event streams the server holds open on the runtime.
    const real = t.runtime;
    let open = 0;
    const runtime: Runtime = {
      ...real,
      tasks: {
        ...real.tasks,
        async *events(id, options) {
          open += 1;
          try {
            yield* real.tasks.events(id, options);
          } finally {
            open -= 1;
          }
        },
      },
    };
    const server = await startServer({ runtime, host: '127.0.0.1', port: 0 });
    servers.push(server);
    const task = await real.tasks.submit({
      prompt: 'email bob',
      agent: { name: 'mailer', tools: ['send_email'] },
    });
    await until(async () => (await real.tasks.get(task.id)).status === 'waiting', {
      message: 'the task to wait',
    });
    const last =
      (await collect(real.tasks.events(task.id, { signal: AbortSignal.abort() }))).at(-1)?.seq ?? 0;

    // Past the last event of a waiting task: no event comes, so no response has been sent yet.
    const client = new AbortController();
    const pending = fetch(`${server.url}/v1/tasks/${task.id}/events?after=${last}`, {
      signal: client.signal,
    });
    await until(() => open === 1, { message: 'the server to follow the task' });
    client.abort();
    await expect(pending).rejects.toThrow();
    await until(() => open === 0, { message: 'the follower to end with its client' });
    expect((await real.tasks.get(task.id)).status).toBe('waiting');
  });
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
