import { generateText, streamText } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentRunner } from '../agents/index.js';
import { createApp } from './index.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { ATTR } from '../trace/index.js';

/** A runner whose agents hand their context to `body` under an invoke_agent span (a framework kind's shape). */
function runnerOf(body: Parameters<typeof foreignRun>[0]): AgentRunner {
  return { run: (agent, input, ctx) => foreignRun(body, agent, input, ctx) };
}

async function foreignRun(
  body: (request: {
    agent: Parameters<AgentRunner['run']>[0];
    context: Parameters<AgentRunner['run']>[2];
    agentSpan: ReturnType<Parameters<AgentRunner['run']>[2]['tracer']['startSpan']>;
  }) => Promise<string>,
  agent: Parameters<AgentRunner['run']>[0],
  _input: Parameters<AgentRunner['run']>[1],
  context: Parameters<AgentRunner['run']>[2],
) {
  const agentSpan = context.tracer.startSpan(`invoke_agent ${agent.name}`, {
    kind: 'agent',
    taskId: context.durable.taskId,
    parent: context.parentSpan,
    attributes: { [ATTR.operationName]: 'invoke_agent', [ATTR.agentName]: agent.name },
  });
  const output = await body({ agent, context, agentSpan });
  agentSpan.end();
  return { agent: agent.name, output };
}

/** An OpenAI stream chunk as parsed from the wire. */
interface Chunk {
  object: string;
  choices: { delta?: { content?: string; role?: string }; finish_reason?: string | null }[];
  usage?: unknown;
}

describe('the gateway service', () => {
  let t: TestRuntime | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('gives an in-process framework (the AI SDK) the agent’s governed model: routed, metered, traced, no HTTP', async () => {
    t = await createTestRuntime({
      script: [
        { text: 'generated', usage: { inputTokens: 30, outputTokens: 6 } },
        { text: 'streamed text', usage: { inputTokens: 40, outputTokens: 8 } },
      ],
      runtime: {
        agentRunner: runnerOf(async (request) => {
          const gateway = request.context.gateway;
          if (!gateway) throw new Error('no gateway');
          const model = gateway.model(request);
          const first = await generateText({ model, prompt: 'first question' });
          const second = streamText({ model, prompt: 'second question' });
          let streamed = '';
          for await (const delta of second.textStream) streamed += delta;
          return `${first.text} + ${streamed}`;
        }),
      },
    });
    const result = await t.runtime.tasks.run({ prompt: 'go', agent: { name: 'sdk-agent' } });
    expect(result).toMatchObject({
      status: 'succeeded',
      output: 'generated + streamed text',
      modelCalls: 2,
      cost: { inputTokens: 70, outputTokens: 14 },
    });
    expect(t.model.calls.map((call) => call.promptText)).toEqual(['first question', 'second question']);
    const spans = await t.runtime.tasks.spans(result.id);
    const agentSpan = spans.find((s) => s.name === 'invoke_agent sdk-agent');
    const chats = spans.filter((s) => s.name === 'chat scripted');
    expect(chats).toHaveLength(2);
    expect(chats.every((s) => s.parentSpanId === agentSpan?.spanId)).toBe(true);
  });

  it('serves the OpenAI wire through the server app: SSE chunks, usage, [DONE]; hostile bodies refused', async () => {
    const holder: { app?: ReturnType<typeof createApp> } = {};
    const answers: { status: number; text: string; taskId: string | null }[] = [];
    const post = async (key: string, body: string) => {
      const response = await (holder.app as ReturnType<typeof createApp>).request(
        '/openai/v1/chat/completions',
        {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', host: '127.0.0.1' },
          body,
        },
      );
      answers.push({
        status: response.status,
        text: await response.text(),
        taskId: response.headers.get('x-agentd-task-id'),
      });
    };
    t = await createTestRuntime({
      script: [{ text: 'hello there', usage: { inputTokens: 5, outputTokens: 2 } }],
      runtime: {
        agentRunner: runnerOf(async (request) => {
          const session = await request.context.gateway?.open(request);
          if (!session) throw new Error('no gateway');
          await post(
            session.apiKey,
            JSON.stringify({
              model: session.model,
              messages: [{ role: 'user', content: 'hi' }],
              stream: true,
              stream_options: { include_usage: true },
            }),
          );
          await post(session.apiKey, '{"model": 5, "messages": []}');
          await post(
            session.apiKey,
            JSON.stringify({ model: 'agentd/auto', messages: [{ role: 'wizard', content: 'x' }] }),
          );
          await post(
            session.apiKey,
            JSON.stringify({
              model: 'agentd/auto',
              messages: [{ role: 'user', content: 'x' }],
              logprobs: true,
            }),
          );
          await post(session.apiKey, 'x'.repeat(17 * 1024 * 1024));
          await session.close();
          await post(
            session.apiKey,
            JSON.stringify({ model: 'agentd/auto', messages: [{ role: 'user', content: 'x' }] }),
          );
          return 'ok';
        }),
      },
    });
    // Under a server, sessions hand out its URL (no listener of the gateway's own).
    t.runtime.gateway.serveAt('http://127.0.0.1:7070/openai/v1');
    holder.app = createApp({ runtime: t.runtime });
    const result = await t.runtime.tasks.run({ prompt: 'go', agent: { name: 'wire' } });
    expect(result.status).toBe('succeeded');

    const [stream, badTypes, badRole, logprobs, huge, revoked] = answers;
    expect(stream?.status).toBe(200);
    expect(stream?.taskId).toBe(result.id);
    const events = (stream?.text ?? '').split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice('data: '.length)) as Chunk);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant' });
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('hello there');
    expect(chunks.at(-2)?.choices[0]).toMatchObject({ finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);

    for (const refused of [badTypes, badRole, logprobs]) {
      expect(refused?.status).toBe(400);
      expect(JSON.parse(refused?.text ?? '{}')).toMatchObject({ error: { type: 'invalid_request_error' } });
    }
    expect(JSON.parse(badTypes?.text ?? '{}').error.param).toBe('model');
    expect(JSON.parse(logprobs?.text ?? '{}').error.message).toContain('log-probabilities');
    expect(huge?.status).toBe(413);
    expect(revoked?.status).toBe(401);
    expect(t.model.calls).toHaveLength(1);
  });
});
