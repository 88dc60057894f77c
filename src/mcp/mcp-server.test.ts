import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { actorWith } from '../security/index.js';
import type { Actor } from '../security/index.js';
import { createMcpServer } from './mcp-server.js';
import { until } from '../testing/until.js';

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** A client connected in memory to agentd's MCP server as `actor`. */
async function connect(actor: Actor): Promise<Client> {
  t = await createTestRuntime({ script: [] });
  const server = createMcpServer({ runtime: t.runtime, actor, version: '0.0.0', logger: silentLogger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  return client;
}

describe('agentd MCP server resources', () => {
  it('answers a resource id that is not valid percent-encoding as invalid params, not an internal error', async () => {
    const client = await connect(actorWith('key:r', ['tasks.read']));
    await expect(client.readResource({ uri: 'agentd://tasks/%ZZ' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
    });
    await client.close();
  });

  it('answers a resources/list the caller may not make with the refusal, not an internal error', async () => {
    const client = await connect(actorWith('key:agent', ['models.call']));
    const refused = client.listResources();
    await expect(refused).rejects.toMatchObject({ code: ErrorCode.InvalidRequest });
    await expect(refused).rejects.toThrow(/permission\.denied/);
    await client.close();
  });

  it('keeps a waited task running when the connection closes (only a cancellation by the client cancels it)', async () => {
    t = await createTestRuntime({ script: [{ waitFor: 'forever' }] });
    const server = createMcpServer({
      runtime: t.runtime,
      actor: actorWith('key:op', ['tasks.read', 'tasks.write']),
      version: '0.0.0',
      logger: silentLogger,
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(clientSide);
    const progress: string[] = [];
    const call = client.callTool(
      { name: 'tasks_create', arguments: { prompt: 'slow', wait: true } },
      undefined,
      {
        onprogress: (p) => progress.push(p.message ?? ''),
      },
    );
    call.catch(() => undefined);
    await until(() => progress.some((message) => message.includes('model call')), {
      message: 'the model call to start',
    });
    const [task] = await t.runtime.tasks.list({ limit: 1 });
    await client.close();
    // The cancellation, if the close caused one, is asynchronous: give it time to land.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await t.runtime.tasks.get(task?.id ?? '')).status).toBe('running');
  });
});
