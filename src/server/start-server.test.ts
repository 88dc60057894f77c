import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import type { TaskResult } from '../executor/index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
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
    expect(created.status).toBe(202);
    const result = (await created.json()) as TaskResult;
    expect(result).toMatchObject({ status: 'succeeded', output: 'over the wire', modelCalls: 1 });
    expect(t.model.calls[0]?.promptText).toContain('hello over http');
  });

  it('refuses to bind beyond loopback without an auth token', async () => {
    t = await createTestRuntime();
    const error = await rejection(startServer({ runtime: t.runtime, host: '0.0.0.0', port: 0 }));
    expect(error.code).toBe('server.auth_required');
    expect(error.message).toContain('0.0.0.0');
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
      body: JSON.stringify({ prompt: 'block' }),
    });
    const { id } = (await created.json()) as TaskResult;
    const events = await fetch(`${server.url}/v1/tasks/${id}/events`);
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('task-start');
    const waiting = fetch(`${server.url}/v1/tasks?wait=true`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'block too' }),
    }).then(
      (res) => res.status,
      (error: unknown) => error,
    );
    await new Promise<void>((resolve) => {
      const check = () => (t?.model.calls.length === 2 ? resolve() : setTimeout(check, 10));
      check();
    });

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
});
