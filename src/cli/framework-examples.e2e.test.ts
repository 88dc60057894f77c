import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadTeamFile } from '../agents/index.js';
import { createFakeAgentGateway } from '../testing/fake-agent-gateway.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer, RecordedRequest } from '../testing/fake-openai-server.js';
import { ROOT } from '../testing/fresh-bundle.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';

// The mixed team of examples/frameworks (a native agent, the LangGraph agent and the Python agent in
// one sequential topology) as a task of a real runtime. The native agent answers on the scripted
// model; the foreign agents reach the fake OpenAI-compatible server through a test-fake gateway.

const PROJECT = join(ROOT, 'examples', 'frameworks');
let server: FakeOpenAIServer | undefined;
let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  await server?.close();
  t = undefined;
  server = undefined;
});

/** The fake's answers: LangGraph asks for the forecast, then answers; the Python agent summarizes. */
function answer(request: RecordedRequest) {
  const messages = request.body?.messages ?? [];
  if (request.body?.tools?.length) {
    return messages.some((m) => m.role === 'tool')
      ? { text: 'Oslo tomorrow: 18°C and rain.' }
      : { toolCalls: [{ name: 'get_forecast', arguments: { city: 'Oslo' } }] };
  }
  return { text: '- Oslo\n- rain\n- umbrella' };
}

describe('the mixed framework team', () => {
  it('runs a native, a LangGraph and a Python agent in one topology', async () => {
    server = await startFakeOpenAIServer({ script: (request) => answer(request) });
    t = await createTestRuntime({
      script: [{ text: 'What is the weather in Oslo tomorrow?' }],
      config: { agents: { projectDir: PROJECT, allowedCommands: ['python3'] } },
      runtime: { agentGateway: createFakeAgentGateway({ baseUrl: server.baseUrl }) },
    });
    const team = await loadTeamFile(join(PROJECT, 'mixed-team.yaml'));
    expect(team.agents.map((a) => [a.name, a.kind ?? 'native'])).toEqual([
      ['planner', 'native'],
      ['forecaster', 'langgraph'],
      ['summarizer', 'process'],
    ]);
    const task = await t.runtime.tasks.run({ prompt: 'Plan a day trip to Oslo.', team });
    expect(task.error ?? undefined).toBeUndefined();
    expect(task.output).toBe('- Oslo\n- rain\n- umbrella');
    // The LangGraph agent got the planner's question; the Python agent the forecast.
    const requests = server.requests;
    expect(JSON.stringify(requests[0]?.body?.messages)).toContain('What is the weather in Oslo tomorrow?');
    expect(JSON.stringify(requests[2]?.body?.messages)).toContain('Oslo tomorrow: 18°C and rain.');
    const events: string[] = [];
    for await (const event of t.runtime.tasks.events(task.id)) events.push(event.type);
    expect(events.filter((e) => e === 'agent-end')).toHaveLength(3);
    expect(events).toContain('agent-progress');
  });

  it('fails a foreign agent clearly when the runtime has no gateway', async () => {
    t = await createTestRuntime({
      script: [{ text: 'question' }],
      config: { agents: { projectDir: PROJECT, allowedCommands: ['python3'] } },
    });
    const team = await loadTeamFile(join(PROJECT, 'mixed-team.yaml'));
    const task = await t.runtime.tasks.run({ prompt: 'Plan a day trip.', team });
    expect(task.status).toBe('failed');
    expect(task.error).toMatchObject({ code: 'agent.gateway_unavailable' });
  });
});
