// agentd's A2A client against a real A2A 1.0 server built in the test with @a2a-js/sdk's server pieces
// (DefaultRequestHandler, InMemoryTaskStore, JsonRpcTransportHandler) on a node:http server on loopback.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { A2A_VERSION_HEADER, AGENT_CARD_PATH, TaskState } from '@a2a-js/sdk';
import type { AgentCard } from '@a2a-js/sdk';
import {
  AgentEvent,
  DefaultRequestHandler,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  ServerCallContext,
  validateVersion,
} from '@a2a-js/sdk/server';
import type { AgentExecutor } from '@a2a-js/sdk/server';
import { adminActor, createTask, invokeOperation } from '../../operations/index.js';
import { createTestRuntime } from '../../testing/test-runtime.js';
import type { TestRuntime } from '../../testing/test-runtime.js';
import { until } from '../../testing/until.js';

let t: TestRuntime | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await t?.dispose();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  t = undefined;
});

/** An SDK server whose agent answers `echo: <text>`; records what it was sent. */
async function sdkServer(
  gate?: Promise<unknown>,
): Promise<{ url: string; port: number; received: string[] }> {
  const received: string[] = [];
  const executor: AgentExecutor = {
    async execute(request, bus) {
      const part = request.userMessage.parts[0]?.content;
      const text = part?.$case === 'text' ? part.value : '';
      received.push(text);
      const base = {
        id: request.taskId,
        contextId: request.contextId,
        artifacts: [],
        history: [],
        metadata: undefined,
      };
      bus.publish(
        AgentEvent.task({
          ...base,
          status: { state: TaskState.TASK_STATE_WORKING, message: undefined, timestamp: undefined },
        }),
      );
      // Let the client see a working task before it completes.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await gate;
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId: request.taskId,
          contextId: request.contextId,
          artifact: {
            artifactId: 'answer',
            name: 'answer',
            description: '',
            parts: [
              {
                content: { $case: 'text', value: `echo: ${text}` },
                metadata: undefined,
                filename: '',
                mediaType: 'text/plain',
              },
            ],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
      bus.publish(
        AgentEvent.statusUpdate({
          taskId: request.taskId,
          contextId: request.contextId,
          status: {
            state: TaskState.TASK_STATE_COMPLETED,
            message: undefined,
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        }),
      );
      bus.finished();
    },
    async cancelTask() {},
  };
  // Filled once the port is known; the request handler reads it per request.
  const published: { card?: AgentCard } = {};
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method === 'GET' && req.url === `/${AGENT_CARD_PATH}`) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(published.card));
        return;
      }
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const header = req.headers[A2A_VERSION_HEADER.toLowerCase()];
      const context = new ServerCallContext({
        ...(typeof header === 'string' ? { requestedVersion: header } : {}),
      });
      validateVersion(context.requestedVersion, published.card!, 'JSONRPC');
      const answer = await new JsonRpcTransportHandler(handler).handle(body, context);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer));
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const card: AgentCard = {
    name: 'echo agent',
    description: 'Echoes',
    supportedInterfaces: [
      { url: `${url}/rpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: false, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [
      {
        id: 'echo',
        name: 'Echo',
        description: 'Echoes',
        tags: [],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
  published.card = card;
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  return { url, port, received };
}

describe('remote A2A agent (agentd as A2A client)', () => {
  it('delegates the agent turn to an SDK-built A2A server, once, through the SSRF guard', async () => {
    const remote = await sdkServer();
    t = await createTestRuntime({
      config: { security: { net: { allow: ['127.0.0.1'], ports: [remote.port] } } },
    });
    const result = await invokeOperation(
      t.runtime,
      createTask,
      {
        prompt: 'ping over A2A',
        agent: { name: 'echoer', a2a: { url: remote.url, skill: 'echo' } },
        wait: true,
      },
      adminActor('test'),
    );
    expect(result).toMatchObject({ status: 'succeeded', output: 'echo: ping over A2A' });
    expect(remote.received).toEqual(['ping over A2A']);
    // The turn was the remote's: no local model call.
    expect(t.model.calls).toHaveLength(0);
  });

  it('masks personal data in the message to the remote (security.pii.prompts) and restores it in the answer', async () => {
    const remote = await sdkServer();
    t = await createTestRuntime({
      config: { security: { net: { allow: ['127.0.0.1'], ports: [remote.port] } } },
    });
    const result = await invokeOperation(
      t.runtime,
      createTask,
      {
        prompt: 'write to jane.roe@example.com',
        agent: { name: 'echoer', a2a: { url: remote.url } },
        wait: true,
      },
      adminActor('test'),
    );
    expect(remote.received).toEqual(['write to ⟦EMAIL_1⟧']);
    expect(result).toMatchObject({ status: 'succeeded', output: 'echo: write to jane.roe@example.com' });
  });

  it('refuses a remote agent as a member of a hybrid team, sending nothing', async () => {
    const remote = await sdkServer();
    t = await createTestRuntime({
      config: { security: { net: { allow: ['127.0.0.1'], ports: [remote.port] } } },
    });
    const result = await invokeOperation(
      t.runtime,
      createTask,
      {
        prompt: 'card 4111 1111 1111 1111',
        team: {
          topology: 'hybrid',
          agents: [{ name: 'echoer', a2a: { url: remote.url } }],
          options: { inner: 'single' },
        },
        wait: true,
      },
      adminActor('test'),
    );
    expect(result).toMatchObject({ status: 'failed', error: { code: 'agent.remote_in_hybrid' } });
    expect(remote.received).toEqual([]);
  });

  it('is refused by the SSRF guard when loopback is not allowed', async () => {
    const remote = await sdkServer();
    t = await createTestRuntime();
    const result = await invokeOperation(
      t.runtime,
      createTask,
      { prompt: 'ping', agent: { name: 'echoer', a2a: { url: remote.url } }, wait: true },
      adminActor('test'),
    );
    expect(result).toMatchObject({ status: 'failed', error: { code: 'net.blocked' } });
    expect(remote.received).toEqual([]);
  });

  it('fails clearly when the remote card lacks the named skill', async () => {
    const remote = await sdkServer();
    t = await createTestRuntime({
      config: { security: { net: { allow: ['127.0.0.1'], ports: [remote.port] } } },
    });
    const result = await invokeOperation(
      t.runtime,
      createTask,
      { prompt: 'ping', agent: { name: 'echoer', a2a: { url: remote.url, skill: 'translate' } }, wait: true },
      adminActor('test'),
    );
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'agent.remote_unavailable' });
    expect(result.error?.message).toMatch(/no skill 'translate' \(it has: echo\)/);
    expect(remote.received).toEqual([]);
  });

  it('does not send the message again when a task resumes after a restart', async () => {
    let release!: () => void;
    const remote = await sdkServer(new Promise<void>((resolve) => (release = resolve)));
    const config = {
      security: { net: { allow: ['127.0.0.1'], ports: [remote.port] } },
      memory: { enabled: false },
    };
    const first = await createTestRuntime({ config });
    const task = await first.runtime.tasks.submit({
      prompt: 'once only',
      agent: { name: 'echoer', a2a: { url: remote.url } },
    });
    // The message is sent (and its step journaled); the process stops while it waits for the answer.
    await until(() => remote.received.length === 1, { message: 'the message to arrive' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await first.runtime.close();
    release();

    t = await createTestRuntime({ config, home: first.home, runtime: { resume: true } });
    const done = await t.runtime.tasks.wait(task.id, { signal: AbortSignal.timeout(10_000) });
    expect(done).toMatchObject({ status: 'succeeded', output: 'echo: once only' });
    expect(remote.received).toEqual(['once only']);
    const home = first.home;
    const dispose = t.dispose.bind(t);
    t.dispose = async () => {
      await dispose();
      rmSync(home, { recursive: true, force: true });
    };
  });

  it('is budgeted: the wall time stops the wait, and each remote turn is a call', async () => {
    const remote = await sdkServer(new Promise(() => {}));
    t = await createTestRuntime({
      config: { security: { net: { allow: ['127.0.0.1'], ports: [remote.port] } } },
    });
    const slow = await invokeOperation(
      t.runtime,
      createTask,
      {
        prompt: 'never answered',
        agent: { name: 'echoer', a2a: { url: remote.url } },
        budget: { wallTimeMs: 400 },
        wait: true,
      },
      adminActor('test'),
    );
    expect(slow.status).toBe('failed');
    expect(slow.error?.code).toMatch(/^budget\./);

    const quick = await sdkServer();
    const net = { security: { net: { allow: ['127.0.0.1'], ports: [quick.port] } } };
    await t.dispose();
    t = await createTestRuntime({ config: net });
    const twice = await invokeOperation(
      t.runtime,
      createTask,
      {
        prompt: 'two remote turns',
        team: {
          topology: 'sequential',
          agents: [
            { name: 'first', a2a: { url: quick.url } },
            { name: 'second', a2a: { url: quick.url } },
          ],
        },
        budget: { modelCalls: 1 },
        wait: true,
      },
      adminActor('test'),
    );
    expect(twice.status).toBe('failed');
    expect(twice.error?.code).toBe('budget.exceeded');
    expect(quick.received).toHaveLength(1);
  });
});
