import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgentFile } from '../load-spec-file.js';
import { createFakeAgentGateway } from '../../testing/fake-agent-gateway.js';
import { createFakeLanguageModel } from '../../testing/fake-language-model.js';
import { startFakeOpenAIServer } from '../../testing/fake-openai-server.js';
import type { FakeOpenAIServer, FakeReply } from '../../testing/fake-openai-server.js';
import { createForeignAgentHarness } from '../../testing/foreign-agent-harness.js';
import { ROOT } from '../../testing/fresh-bundle.js';
import { until } from '../../testing/until.js';

// The framework examples (examples/frameworks) run by their kinds against the fake OpenAI-compatible
// server, reached through a test-fake gateway: the real LangGraph.js, Agents SDK and python3 talk
// the OpenAI protocol over a socket; what agentd sees of them (output, progress, spans) is checked.

const PROJECT = join(ROOT, 'examples', 'frameworks');
let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function harnessWith(script: FakeReply[]) {
  server = await startFakeOpenAIServer({ script });
  const gateway = createFakeAgentGateway({ baseUrl: server.baseUrl, apiKey: 'task-key' });
  return {
    gateway,
    h: createForeignAgentHarness({ gateway, foreign: { projectDir: PROJECT, allowedCommands: ['python3'] } }),
  };
}

describe('framework kinds', () => {
  it('runs the LangGraph ReAct example: its tool call and answer, with the gateway model', async () => {
    const { h, gateway } = await harnessWith([
      { toolCalls: [{ id: 'call_1', name: 'get_forecast', arguments: { city: 'Oslo' } }] },
      { text: 'Rain in Oslo: take an umbrella.' },
    ]);
    const agent = await loadAgentFile(join(PROJECT, 'langgraph-agent.yaml'));
    const result = await h.run(agent, { prompt: 'Weather in Oslo?' });
    expect(result.output).toBe('Rain in Oslo: take an umbrella.');
    const requests = server?.requests ?? [];
    expect(requests.map((r) => r.headers['authorization'])).toEqual(['Bearer task-key', 'Bearer task-key']);
    const second = requests[1]?.body?.messages ?? [];
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(second[3]?.content).toContain('Oslo: 18°C');
    expect(h.events.filter((e) => e.type === 'agent-progress').map((e) => e.data['message'])).toEqual([
      'agent: calls get_forecast({"city":"Oslo"})',
      'tools: get_forecast answered',
      'agent: Rain in Oslo: take an umbrella.',
    ]);
    expect(gateway.openSessions()).toBe(0);
    await h.close();
  });

  it('runs the Agents SDK example: its tool call is an execute_tool span under the agent span', async () => {
    const { h, gateway } = await harnessWith([
      { toolCalls: [{ id: 'call_1', name: 'packing_checklist', arguments: { weather: 'rain' } }] },
      { text: 'Pack an umbrella and a rain jacket.' },
    ]);
    const agent = await loadAgentFile(join(PROJECT, 'openai-agents-agent.yaml'));
    const result = await h.run(agent, { prompt: 'Rain tomorrow. What to pack?' });
    expect(result.output).toBe('Pack an umbrella and a rain jacket.');
    expect(server?.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/chat/completions']);
    const toolMessage = server?.requests[1]?.body?.messages?.find((m) => m.role === 'tool');
    expect(toolMessage?.content).toContain('umbrella, rain jacket');
    const spans = await h.spans();
    const agentSpan = spans.find((s) => s.name === 'invoke_agent packer');
    const toolSpan = spans.find((s) => s.name === 'execute_tool packing_checklist');
    expect(toolSpan?.parentSpanId).toBe(agentSpan?.spanId);
    expect(toolSpan?.attributes).toMatchObject({ 'gen_ai.tool.call.id': 'call_1' });
    expect(gateway.openSessions()).toBe(0);
    await h.close();
  });

  it('runs the Python stdlib example as a process agent', async () => {
    const { h } = await harnessWith([{ text: '- rain\n- umbrella\n- jacket' }]);
    const agent = await loadAgentFile(join(PROJECT, 'python-agent.yaml'));
    const result = await h.run(agent, { prompt: 'It will rain; pack an umbrella and a jacket.' });
    expect(result.output).toBe('- rain\n- umbrella\n- jacket');
    const body = server?.requests[0]?.body;
    expect(body?.model).toBe('fake-model');
    expect(body?.messages?.[0]?.content).toBe('Summarize what the team found in three bullet points.');
    expect(h.events.map((e) => e.type)).toEqual(['agent-progress', 'agent-end']);
    await h.close();
  });

  it('fails the Python agent with its own message when the gateway refuses the call', async () => {
    const { h } = await harnessWith([{ status: 402, errorMessage: 'task budget spent' }]);
    const agent = await loadAgentFile(join(PROJECT, 'python-agent.yaml'));
    await expect(h.run(agent, { prompt: 'x' })).rejects.toMatchObject({
      code: 'agent.process_failed',
      message: expect.stringContaining('reported an error: HTTP Error 402'),
    });
    await h.close();
  });

  it('stops a LangGraph agent that calls the same tool with the same result again and again', async () => {
    const again = (id: string) => ({
      toolCalls: [{ id, name: 'get_forecast', arguments: { city: 'Oslo' } }],
    });
    const { h, gateway } = await harnessWith(['c1', 'c2', 'c3', 'c4', 'c5'].map(again));
    const agent = await loadAgentFile(join(PROJECT, 'langgraph-agent.yaml'));
    await expect(h.run(agent, { prompt: 'Weather?' })).rejects.toMatchObject({ code: 'loop.detected' });
    expect(server?.requests).toHaveLength(3);
    expect(gateway.openSessions()).toBe(0);
    await h.close();
  });

  it('cancels an Agents SDK run mid-call and closes its gateway session', async () => {
    const { h, gateway } = await harnessWith([{ hang: true }]);
    const agent = await loadAgentFile(join(PROJECT, 'openai-agents-agent.yaml'));
    const controller = new AbortController();
    const running = h.run(agent, { prompt: 'What to pack?' }, controller.signal);
    await until(() => server?.requests.length === 1);
    controller.abort(new Error('cancelled by the test'));
    await expect(running).rejects.toThrow('cancelled by the test');
    expect(gateway.openSessions()).toBe(0);
    const spans = await h.spans();
    expect(spans.find((s) => s.name === 'invoke_agent packer')?.status).toBe('error');
    await h.close();
  });

  it('runs the AI SDK example on the gateway model, in process', async () => {
    const model = createFakeLanguageModel({ script: [{ text: 'Rain on the fjord' }] });
    const gateway = createFakeAgentGateway({ model });
    const h = createForeignAgentHarness({ gateway, foreign: { projectDir: PROJECT } });
    const agent = await loadAgentFile(join(PROJECT, 'ai-sdk-agent.yaml'));
    expect((await h.run(agent, { prompt: 'Oslo in autumn' })).output).toBe('Rain on the fjord');
    expect(model.calls[0]?.promptText).toBe('Answer with one haiku about the request.\nOslo in autumn');
    expect(gateway.requests.map((r) => r.method)).toEqual(['model']);
    await h.close();
  });
});
