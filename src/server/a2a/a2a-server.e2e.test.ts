import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Message, SendMessageRequest, StreamResponse, Task } from '@a2a-js/sdk';
import {
  AgentCardResolver,
  ClientFactory,
  ClientFactoryOptions,
  JsonRpcTransportFactory,
  DefaultAgentCardResolver,
} from '@a2a-js/sdk/client';
import type { Client } from '@a2a-js/sdk/client';
import { createTestRuntime } from '../../testing/test-runtime.js';
import type { TestRuntime } from '../../testing/test-runtime.js';
import { adminActor, createKey, invokeOperation, revokeKey } from '../../operations/index.js';
import { createApp } from '../create-app.js';
import { startServer } from '../start-server.js';
import type { RunningServer } from '../start-server.js';

const TOKEN = 'a2a-test-token-with-enough-entropy-0123456789';

let t: TestRuntime | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  await t?.dispose();
  server = undefined;
  t = undefined;
});

/** fetch with the server token, as a configured A2A client would send it. */
const authFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${TOKEN}`);
  return fetch(input, { ...init, headers });
};

async function start(): Promise<{ client: Client; url: string }> {
  t = await createTestRuntime({
    script: (call) =>
      call.promptText.includes('hang here')
        ? { waitFor: 'forever' }
        : { text: `answer #${call.index}`, usage: { inputTokens: 10, outputTokens: 2 } },
  });
  server = await startServer({ runtime: t.runtime, host: '127.0.0.1', port: 0, authToken: TOKEN });
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl: authFetch })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl: authFetch }),
    }),
  );
  return { client: await factory.createFromUrl(server.url), url: server.url };
}

function userMessage(text: string, contextId = ''): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId: '',
    role: Role.ROLE_USER,
    parts: [
      { content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

function send(message: Message, returnImmediately = false): SendMessageRequest {
  return {
    tenant: '',
    message,
    configuration: {
      acceptedOutputModes: ['text/plain'],
      taskPushNotificationConfig: undefined,
      returnImmediately,
    },
    metadata: undefined,
  };
}

function asTask(result: unknown): Task {
  expect(result).toHaveProperty('status');
  return result as Task;
}

function artifactText(task: Task): string {
  const content = task.artifacts[0]?.parts[0]?.content;
  return content?.$case === 'text' ? content.value : '';
}

describe('A2A 1.0 server (agentd serve) with the @a2a-js/sdk client', () => {
  it('publishes a 1.0 card: JSON-RPC interface, streaming, bearer security, a skill', async () => {
    const { client, url } = await start();
    const card = await client.getAgentCard();
    expect(card.supportedInterfaces[0]).toMatchObject({
      url: `${url}/v1/a2a`,
      protocolBinding: 'JSONRPC',
      protocolVersion: '1.0',
    });
    expect(card.capabilities?.streaming).toBe(true);
    expect(card.defaultInputModes).toContain('text/plain');
    expect(card.skills.map((s) => s.id)).toEqual(['run-task']);
    expect(card.securitySchemes['bearer']?.scheme).toMatchObject({
      $case: 'httpAuthSecurityScheme',
      value: { scheme: 'Bearer' },
    });
    // The card itself is public: discovery comes before credentials.
    const raw = (await (await fetch(`${url}/.well-known/agent-card.json`)).json()) as Record<string, unknown>;
    expect(raw['securitySchemes']).toEqual({
      bearer: expect.objectContaining({
        httpAuthSecurityScheme: expect.objectContaining({ scheme: 'Bearer' }),
      }),
    });
    expect(await new DefaultAgentCardResolver().resolve(url)).toMatchObject({ name: 'agentd' });
    void AgentCardResolver;
  });

  it('sends a message, continues its context, gets and lists the tasks', async () => {
    const { client } = await start();
    const first = asTask(await client.sendMessage(send(userMessage('What is 2+2?'))));
    expect(first.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(artifactText(first)).toBe('answer #0');
    expect(first.contextId).not.toBe('');

    const second = asTask(await client.sendMessage(send(userMessage('And times 3?', first.contextId))));
    expect(second.contextId).toBe(first.contextId);
    expect(second.id).not.toBe(first.id);
    // The follow-up's prompt carries the earlier exchange.
    const prompt = t!.model.calls[1]!.promptText;
    expect(prompt).toContain('User: What is 2+2?\nYou: answer #0');
    expect(prompt).toContain('And times 3?');
    // The A2A history shows what the user said, not the expanded prompt.
    const userPart = second.history[0]?.parts[0]?.content;
    expect(userPart).toEqual({ $case: 'text', value: 'And times 3?' });

    const got = await client.getTask({ tenant: '', id: first.id });
    expect(got).toMatchObject({ id: first.id, contextId: first.contextId });
    expect(got.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    const listed = await client.listTasks({
      tenant: '',
      contextId: first.contextId,
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageToken: '',
      statusTimestampAfter: undefined,
    });
    expect(listed.tasks.map((task) => task.id)).toEqual([second.id, first.id]);
    const all = await client.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_COMPLETED,
      pageToken: '',
      statusTimestampAfter: undefined,
      pageSize: 1,
    });
    expect(all.tasks).toHaveLength(1);
    expect(all.nextPageToken).not.toBe('');

    await expect(client.getTask({ tenant: '', id: 'no-such-task' })).rejects.toThrow();
  });

  it('streams a task: the task first, then its artifact and a completed status', async () => {
    const { client } = await start();
    const events: StreamResponse[] = [];
    for await (const event of client.sendMessageStream(send(userMessage('stream this')))) events.push(event);
    expect(events[0]?.payload?.$case).toBe('task');
    const last = events.at(-1)?.payload;
    expect(last?.$case).toBe('statusUpdate');
    if (last?.$case === 'statusUpdate') expect(last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    // SubscribeToTask on the finished task: its current state, then the stream ends.
    const taskId = events[0]?.payload?.$case === 'task' ? events[0].payload.value.id : '';
    const again: StreamResponse[] = [];
    for await (const event of client.resubscribeTask({ tenant: '', id: taskId })) again.push(event);
    expect(again.map((e) => e.payload?.$case)).toEqual(['task']);
    const resumed = again[0]?.payload;
    if (resumed?.$case === 'task') expect(resumed.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const artifact = events.find((e) => e.payload?.$case === 'artifactUpdate')?.payload;
    expect(artifact?.$case === 'artifactUpdate' && artifact.value.artifact?.parts[0]?.content).toEqual({
      $case: 'text',
      value: 'answer #0',
    });
  });

  it('cancels a running task', async () => {
    const { client } = await start();
    const started = asTask(await client.sendMessage(send(userMessage('hang here please'), true)));
    expect([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING]).toContain(started.status?.state);
    const cancelled = await client.cancelTask({ tenant: '', id: started.id, metadata: undefined });
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    await expect(client.cancelTask({ tenant: '', id: started.id, metadata: undefined })).rejects.toThrow(
      /already cancelled/,
    );
  });

  it('refuses 0.3 requests with a version error, and unauthenticated ones with 401', async () => {
    const { url } = await start();
    const legacy = await authFetch(`${url}/v1/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'message/send', params: {} }),
    });
    const legacyBody = (await legacy.json()) as { id: number; error: { code: number; message: string } };
    expect(legacyBody.id).toBe(7);
    expect(legacyBody.error.code).toBe(-32009);
    expect(legacyBody.error.message).toMatch(/A2A 0\.3 method.*SendMessage/);

    // The raw wire form documented in docs/a2a.md.
    const raw = await authFetch(`${url}/v1/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: { message: { messageId: 'm1', role: 'ROLE_USER', parts: [{ text: 'Say hi' }] } },
      }),
    });
    expect(await raw.json()).toMatchObject({
      id: 1,
      result: {
        task: { status: { state: 'TASK_STATE_COMPLETED' }, artifacts: [{ parts: [{ text: 'answer #0' }] }] },
      },
    });

    const noHeader = await authFetch(`${url}/v1/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'GetTask', params: { id: 'x' } }),
    });
    expect(((await noHeader.json()) as { error: { code: number } }).error.code).toBe(-32009);

    const anonymous = await fetch(`${url}/v1/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'GetTask', params: { id: 'x' } }),
    });
    expect(anonymous.status).toBe(401);
  });

  it('answers hostile requests with JSON-RPC or coded HTTP errors, never a 5xx', async () => {
    const { url } = await start();
    const post = (body: string, headers: Record<string, string> = {}) =>
      authFetch(`${url}/v1/a2a`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'a2a-version': '1.0', ...headers },
        body,
      });
    const parse = await post('{not json');
    expect(parse.status).toBe(200);
    expect(((await parse.json()) as { error: { code: number } }).error.code).toBe(-32700);

    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'DropTables', params: {} }));
    expect(((await unknown.json()) as { error: { code: number } }).error.code).toBe(-32601);

    // A message agentd refuses (over the prompt limit) is invalid params, not an internal error.
    const tooLong = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'SendMessage',
        params: { message: { messageId: 'm', role: 'ROLE_USER', parts: [{ text: 'a'.repeat(200_001) }] } },
      }),
    );
    const refused = (await tooLong.json()) as { error: { code: number; message: string } };
    expect(refused.error).toMatchObject({
      code: -32602,
      message: expect.stringMatching(/^request\.invalid: /),
    });

    for (const params of ['x', null, [], { message: 'x' }, { message: { parts: 'x' } }]) {
      const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'SendMessage', params }));
      expect(res.status).toBeLessThan(500);
      const body = (await res.json()) as { error?: { code: number } };
      expect(body.error?.code).toEqual(expect.any(Number));
    }
    const file = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 3,
        method: 'SendMessage',
        params: {
          message: { messageId: 'm', role: 'ROLE_USER', parts: [{ url: 'http://169.254.169.254/' }] },
        },
      }),
    );
    expect(((await file.json()) as { error: { code: number } }).error.code).toBe(-32005);
    expect(t!.model.calls).toHaveLength(0);

    // In-process: over a socket the server may reset the connection while the client still writes.
    const huge = await createApp({ runtime: t!.runtime, authToken: TOKEN }).request('/v1/a2a', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'a2a-version': '1.0', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 4,
        method: 'SendMessage',
        params: { pad: 'x'.repeat(2 * 1024 * 1024) },
      }),
    });
    expect(huge.status).toBe(413);
    const form = await post('a=b', { 'content-type': 'text/plain' });
    expect(form.status).toBe(415);
    const foreign = await post('{}', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
  });

  it("applies the caller's role and tenant: a viewer reads but cannot send, a tenant key sees only its tasks", async () => {
    const { client, url } = await start();
    const admin = asTask(await client.sendMessage(send(userMessage('admin task'))));
    const keyed = async (role: string, tenant?: string) => {
      const { key } = await invokeOperation(
        t!.runtime,
        createKey,
        { name: `${role}-${tenant ?? 'all'}`, role, ...(tenant ? { tenant } : {}) },
        adminActor('test'),
      );
      const withKey: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${key}`);
        return fetch(input, { ...init, headers });
      };
      return new ClientFactory(
        ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
          transports: [new JsonRpcTransportFactory({ fetchImpl: withKey })],
          cardResolver: new DefaultAgentCardResolver({ fetchImpl: withKey }),
        }),
      ).createFromUrl(url);
    };
    const viewer = await keyed('viewer');
    await expect(viewer.sendMessage(send(userMessage('not allowed')))).rejects.toThrow(/permission/);
    expect((await viewer.getTask({ tenant: '', id: admin.id })).id).toBe(admin.id);

    const acme = await keyed('operator', 'acme');
    const own = asTask(await acme.sendMessage(send(userMessage('acme task'))));
    expect(await t!.runtime.tasks.tenantOf(own.id)).toBe('acme');
    await expect(acme.getTask({ tenant: '', id: admin.id })).rejects.toThrow();
    const listed = await acme.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageToken: '',
      statusTimestampAfter: undefined,
    });
    expect(listed.tasks.map((task) => task.id)).toEqual([own.id]);
    // A context belongs to whoever started it.
    await expect(acme.sendMessage(send(userMessage('hijack', admin.contextId)))).rejects.toThrow(
      /another client/,
    );
  });

  it('keeps a context with the key that started it: a new key given the revoked one’s name cannot continue it', async () => {
    const { url } = await start();
    const clientWith = async (name: string) => {
      const { key } = await invokeOperation(
        t!.runtime,
        createKey,
        { name, role: 'operator' },
        adminActor('test'),
      );
      const withKey: typeof fetch = (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${key}`);
        return fetch(input, { ...init, headers });
      };
      return new ClientFactory(
        ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
          transports: [new JsonRpcTransportFactory({ fetchImpl: withKey })],
          cardResolver: new DefaultAgentCardResolver({ fetchImpl: withKey }),
        }),
      ).createFromUrl(url);
    };
    const first = await clientWith('ci');
    const started = asTask(await first.sendMessage(send(userMessage('the launch code is 1234'))));
    await invokeOperation(t!.runtime, revokeKey, { id: 'ci' }, adminActor('test'));
    const successor = await clientWith('ci');
    await expect(
      successor.sendMessage(send(userMessage('what was the code?', started.contextId))),
    ).rejects.toThrow(/another client/);
  });
});
