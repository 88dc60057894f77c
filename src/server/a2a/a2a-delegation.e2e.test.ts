// Two agentd servers on loopback: the parent runs a sequential team whose first member is the other
// server, reached through A2A 1.0; the parent's span tree and result show the delegation.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestRuntime } from '../../testing/test-runtime.js';
import type { TestRuntime } from '../../testing/test-runtime.js';
import type { TaskResult } from '../../executor/index.js';
import { startServer } from '../start-server.js';
import type { RunningServer } from '../start-server.js';

const runtimes: TestRuntime[] = [];
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const t of runtimes.splice(0)) await t.dispose();
});

interface Span {
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: string;
  status: string;
  attributes: Record<string, unknown>;
}

describe('agentd delegating to agentd over A2A', () => {
  it('runs a remote member inside a sequential team, traced under the team', async () => {
    const remote = await createTestRuntime({
      script: [{ text: 'the remote researched: 42', usage: { inputTokens: 1000, outputTokens: 500 } }],
    });
    runtimes.push(remote);
    const remoteServer = await startServer({ runtime: remote.runtime, host: '127.0.0.1', port: 0 });
    servers.push(remoteServer);
    const port = Number(new URL(remoteServer.url).port);

    const parent = await createTestRuntime({
      script: (call) => ({
        text: call.promptText.includes('the remote researched: 42')
          ? 'written from the research'
          : 'no research seen',
      }),
      config: { security: { net: { allow: ['127.0.0.1'], ports: [port] } } },
    });
    runtimes.push(parent);
    const parentServer = await startServer({ runtime: parent.runtime, host: '127.0.0.1', port: 0 });
    servers.push(parentServer);

    const created = await fetch(`${parentServer.url}/v1/tasks?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        prompt: 'What is the answer?',
        team: {
          name: 'research-then-write',
          topology: 'sequential',
          agents: [
            { name: 'researcher', a2a: { url: remoteServer.url, skill: 'run-task' } },
            { name: 'writer', instructions: 'Write the answer from the research.' },
          ],
        },
      }),
    });
    const result = (await created.json()) as TaskResult;
    expect(result).toMatchObject({ status: 'succeeded', output: 'written from the research' });
    // The remote ran the researcher's turn with its own model; the parent's model only wrote.
    expect(remote.model.calls).toHaveLength(1);
    expect(remote.model.calls[0]?.promptText).toContain('What is the answer?');
    expect(parent.model.calls).toHaveLength(1);

    const { spans } = (await (await fetch(`${parentServer.url}/v1/tasks/${result.id}/spans`)).json()) as {
      spans: Span[];
    };
    const researcher = spans.find((s) => s.name === 'invoke_agent researcher');
    const writer = spans.find((s) => s.name === 'invoke_agent writer');
    expect(researcher).toMatchObject({ kind: 'agent', status: 'ok' });
    expect(researcher?.attributes).toMatchObject({
      'agentd.a2a.url': remoteServer.url,
      'agentd.a2a.skill': 'run-task',
      'agentd.a2a.state': 'completed',
    });
    // The remote reported what its task cost ($1/M in, $2/M out on the fake catalog).
    expect(researcher?.attributes['agentd.cost.usd']).toBeCloseTo(0.002, 6);
    const remoteTaskId = researcher?.attributes['agentd.a2a.task_id'];
    expect(typeof remoteTaskId).toBe('string');
    // Both members hang under the same team span, the remote one without model calls of its own.
    expect(writer?.parentSpanId).toBe(researcher?.parentSpanId);
    expect(spans.find((s) => s.spanId === researcher?.parentSpanId)?.kind).toBe('team');
    expect(spans.filter((s) => s.parentSpanId === researcher?.spanId)).toEqual([]);

    // The remote side kept the task as an ordinary agentd task.
    const remoteTask = (await (
      await fetch(`${remoteServer.url}/v1/tasks/${String(remoteTaskId)}`)
    ).json()) as TaskResult;
    expect(remoteTask).toMatchObject({ status: 'succeeded', output: 'the remote researched: 42' });
  });
});
