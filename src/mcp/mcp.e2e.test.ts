import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { operations } from '../operations/index.js';
import { startServer } from '../server/index.js';
import type { RunningServer } from '../server/index.js';
import { BIN, ensureFreshBundle } from '../testing/fresh-bundle.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import { toolNameOf } from './mcp-tools.js';

// The official SDK's Client against agentd's MCP server: over stdio (spawning `agentd mcp`, as a
// desktop client does) and over Streamable HTTP at /mcp of `agentd serve`.

interface TaskOutput {
  id: string;
  status: string;
  output: string | null;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(async () => {
  await ensureFreshBundle();
}, 120_000);

async function stdioClient(): Promise<{ client: Client; stderr: () => string }> {
  const home = mkdtempSync(join(tmpdir(), 'agentd-mcp-'));
  cleanups.push(() => rmSync(home, { recursive: true, force: true }));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    // No provider keys: the simulated model answers, offline.
    env: { PATH: process.env['PATH'] ?? '', HOME: home, AGENTD_HOME: home },
    cwd: home,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'agentd-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, stderr: () => stderr };
}

async function httpClient(
  t: TestRuntime,
  token?: string,
): Promise<{ client: Client; server: RunningServer }> {
  const server = await startServer({
    runtime: t.runtime,
    host: '127.0.0.1',
    port: 0,
    ...(token ? { authToken: token } : {}),
  });
  cleanups.push(() => server.close());
  const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
    ...(token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
  });
  const client = new Client({ name: 'agentd-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return { client, server };
}

describe('agentd mcp over stdio', () => {
  it('lists a tool per operation, runs a waited task with progress, reads it as a resource, and survives bad arguments', async () => {
    const { client, stderr } = await stdioClient();
    expect(client.getServerVersion()?.name).toBe('agentd');

    const { tools } = await client.listTools();
    // Every operation, except the decisions only a person may take (approving a changed MCP tool,
    // minting or revoking keys).
    const humanOnly = operations.filter((op) => op.humanOnly).map((op) => op.name);
    expect(humanOnly.sort()).toEqual(['keys.create', 'keys.revoke', 'mcp.tools.approve']);
    expect(tools.map((tool) => tool.name).sort()).toEqual(
      operations
        .filter((op) => !op.humanOnly)
        .map((op) => toolNameOf(op))
        .sort(),
    );
    const create = tools.find((tool) => tool.name === 'tasks_create');
    expect(create?.inputSchema.properties).toHaveProperty('prompt');
    expect(create?.outputSchema?.type).toBe('object');
    expect(tools.find((tool) => tool.name === 'tasks_list')?.annotations).toMatchObject({
      readOnlyHint: true,
    });
    expect(tools.find((tool) => tool.name === 'memory_forget')?.annotations).toMatchObject({
      destructiveHint: true,
    });

    const progress: string[] = [];
    const result = await client.callTool(
      { name: 'tasks_create', arguments: { prompt: 'Name three primary colours.', wait: true } },
      undefined,
      { onprogress: (p) => progress.push(p.message ?? '') },
    );
    expect(result.isError).toBeFalsy();
    const task = result.structuredContent as unknown as TaskOutput;
    expect(task.status).toBe('succeeded');
    expect(task.output).toContain('simulated');
    expect(progress[0]).toBe('task-start');
    expect(progress).toContainEqual(expect.stringMatching(/^assistant: model call/));

    const resource = await client.readResource({ uri: `agentd://tasks/${task.id}` });
    const read = JSON.parse((resource.contents[0] as { text: string }).text) as TaskOutput;
    expect(read).toMatchObject({ id: task.id, status: 'succeeded' });
    const spans = await client.readResource({ uri: `agentd://tasks/${task.id}/spans` });
    expect(JSON.parse((spans.contents[0] as { text: string }).text).spans.length).toBeGreaterThan(0);
    const listed = await client.listResources();
    expect(listed.resources.map((r) => r.uri)).toContain(`agentd://tasks/${task.id}`);

    const bad = await client.callTool({ name: 'tasks_create', arguments: { prompt: 42 } });
    expect(bad.isError).toBe(true);
    expect((bad.content as { text: string }[])[0]?.text).toMatch(
      /^request\.invalid: tasks\.create: prompt: /,
    );
    // Still serving, and the dotted operation name works too.
    const health = await client.callTool({ name: 'health', arguments: {} });
    expect(health.structuredContent).toMatchObject({ status: 'ok' });
    const got = await client.callTool({ name: 'tasks.get', arguments: { id: task.id } });
    expect(got.structuredContent).toMatchObject({ id: task.id });
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toThrow(/unknown tool/);
    await expect(
      client.callTool({ name: 'mcp_tools_approve', arguments: { server: 'web', tool: 'echo' } }),
    ).rejects.toThrow(/unknown tool/);
    expect(stderr()).not.toMatch(/error/i);
  }, 60_000);
});

describe('/mcp over Streamable HTTP', () => {
  it('serves the same tools behind the bearer token, and refuses a client without it', async () => {
    const t = await createTestRuntime({ script: [{ text: 'the answer' }] });
    cleanups.push(() => t.dispose());
    const token = 'x'.repeat(48);
    const { client, server } = await httpClient(t, token);
    const result = await client.callTool({ name: 'tasks_create', arguments: { prompt: 'hi', wait: true } });
    expect(result.structuredContent).toMatchObject({ status: 'succeeded', output: 'the answer' });

    const anonymous = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(anonymous.status).toBe(401);
    const foreign = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(foreign.status).toBe(403);
  }, 30_000);

  it('cancels the task when the client cancels a waited tasks_create', async () => {
    const t = await createTestRuntime({ script: [{ waitFor: 'forever' }] });
    cleanups.push(() => t.dispose());
    const { client } = await httpClient(t);
    const controller = new AbortController();
    const progress: string[] = [];
    const call = client.callTool(
      { name: 'tasks_create', arguments: { prompt: 'slow', wait: true } },
      undefined,
      {
        signal: controller.signal,
        onprogress: (p) => progress.push(p.message ?? ''),
      },
    );
    await until(() => progress.some((message) => message.includes('model call')), {
      message: 'the model call to start',
    });
    controller.abort('user pressed stop');
    await expect(call).rejects.toThrow();
    const listed = await client.callTool({ name: 'tasks_list', arguments: {} });
    const [task] = (listed.structuredContent as { tasks: TaskOutput[] }).tasks;
    await until(
      async () => {
        const got = await client.callTool({ name: 'tasks_get', arguments: { id: task?.id } });
        return (got.structuredContent as unknown as TaskOutput).status === 'cancelled';
      },
      { message: 'the task to be cancelled' },
    );
  }, 30_000);
});
