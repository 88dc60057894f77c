import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewaySession } from '../agents/index.js';
import { startGatewayFixture } from '../testing/gateway-harness.js';
import type { ForeignAgent, GatewayFixture } from '../testing/gateway-harness.js';

/** The official client on a gateway session, without retries (a refusal must show, not be retried). */
function client(session: Pick<GatewaySession, 'baseUrl' | 'apiKey'>): OpenAI {
  return new OpenAI({ baseURL: session.baseUrl, apiKey: session.apiKey, maxRetries: 0 });
}

/** The text of a message as the upstream received it (a string, or text parts). */
function textOf(content: string | null | undefined | { type: string; text?: string }[]): string {
  if (content == null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text ?? '').join('');
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number | undefined; error: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OpenAI.APIError) return { status: error.status, error: error.error };
    throw error;
  }
  throw new Error('expected the call to be refused');
}

describe('the OpenAI-compatible gateway with the official openai client', () => {
  let fixture: GatewayFixture | undefined;
  let foreign: ForeignAgent = () => Promise.resolve('');
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('answers chat, streamed chat, tool calls and json_schema as the agent’s governed calls', async () => {
    fixture = await startGatewayFixture({
      serve: true,
      foreign: () => foreign,
      script: ({ body: request }, index) => {
        if (index === 2)
          return { toolCalls: [{ id: 'call_7', name: 'lookup', arguments: { city: 'Oslo' } }] };
        if (index === 4) return { text: '{"city":"Oslo","temp":3}' };
        return {
          text: `answer ${index} to ${textOf(request?.messages?.at(-1)?.content)}`,
          usage: { promptTokens: 100, completionTokens: 10 },
        };
      },
    });
    const seen: Record<string, unknown> = {};
    foreign = async (session) => {
      const openai = client(session);
      const plain = await openai.chat.completions.create({
        model: 'agentd/auto',
        messages: [{ role: 'user', content: 'hello' }],
      });
      seen['plain'] = plain.choices[0]?.message.content;
      seen['usage'] = plain.usage;
      seen['baseUrl'] = session.baseUrl;
      const stream = await openai.chat.completions.create({
        model: 'local/small',
        messages: [{ role: 'user', content: 'stream please' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let streamed = '';
      let lastUsage: unknown;
      for await (const chunk of stream) {
        streamed += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) lastUsage = chunk.usage;
      }
      seen['streamed'] = streamed;
      seen['streamUsage'] = lastUsage;
      const tools = [
        {
          type: 'function' as const,
          function: {
            name: 'lookup',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ];
      const toolStream = await openai.chat.completions.create({
        model: 'agentd/cheapest',
        messages: [{ role: 'user', content: 'weather in Oslo?' }],
        tools,
        stream: true,
      });
      const deltas: unknown[] = [];
      for await (const chunk of toolStream) {
        if (chunk.choices[0]?.delta.tool_calls) deltas.push(...chunk.choices[0].delta.tool_calls);
        if (chunk.choices[0]?.finish_reason) seen['toolFinish'] = chunk.choices[0].finish_reason;
      }
      seen['toolDeltas'] = deltas;
      const after = await openai.chat.completions.create({
        model: 'agentd/auto',
        messages: [
          { role: 'user', content: 'weather in Oslo?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_7', type: 'function', function: { name: 'lookup', arguments: '{"city":"Oslo"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_7', content: '3 degrees' },
        ],
        tools,
      });
      seen['afterTool'] = after.choices[0]?.message.content;
      const json = await openai.chat.completions.create({
        model: 'agentd/auto',
        messages: [{ role: 'user', content: 'as json' }],
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'weather',
            schema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      });
      seen['json'] = JSON.parse(json.choices[0]?.message.content ?? 'null');
      return 'done';
    };
    const result = await fixture.runtime.tasks.run({ prompt: 'use the gateway', agent: { name: 'foreign' } });
    expect(result).toMatchObject({ status: 'succeeded', output: 'done', modelCalls: 5 });
    expect(seen['baseUrl']).toBe(`${fixture.server?.url}/openai/v1`);
    expect(seen['plain']).toBe('answer 0 to hello');
    expect(seen['usage']).toEqual({ prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 });
    expect(seen['streamed']).toBe('answer 1 to stream please');
    expect(seen['streamUsage']).toEqual({ prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 });
    expect(seen['toolDeltas']).toEqual([
      { index: 0, id: 'call_7', type: 'function', function: { name: 'lookup', arguments: '' } },
      { index: 0, function: { arguments: '{"city":"Oslo"}' } },
    ]);
    expect(seen['toolFinish']).toBe('tool_calls');
    expect(seen['afterTool']).toBe('answer 3 to 3 degrees');
    expect(seen['json']).toEqual({ city: 'Oslo', temp: 3 });

    // What went upstream: the tool result in OpenAI's shape again, the schema as response_format.
    const chats = fixture.upstream.requests.filter((r) => r.path === '/v1/chat/completions');
    expect(chats).toHaveLength(5);
    expect(chats[3]?.body?.messages?.find((m) => m.role === 'tool')).toMatchObject({
      tool_call_id: 'call_7',
      content: '3 degrees',
    });
    // The provider decides how it asks for JSON (this openai-compatible one: json_object).
    expect(chats[4]?.body?.['response_format']).toMatchObject({ type: expect.stringMatching(/^json_/) });

    // Attributed to the task and the agent: chat spans under its invoke_agent span, with cost.
    const spans = await fixture.runtime.tasks.spans(result.id);
    const agentSpan = spans.find((s) => s.name === 'invoke_agent foreign');
    const chatSpans = spans.filter((s) => s.name.startsWith('chat '));
    expect(chatSpans).toHaveLength(5);
    for (const span of chatSpans) {
      expect(span.parentSpanId).toBe(agentSpan?.spanId);
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.agent.name': 'foreign',
      });
    }
    expect(result.cost.usd).toBeGreaterThan(0);
  });

  it('refuses a call once the task’s budget is spent (402), and cuts a stream off mid-way with an error event', async () => {
    fixture = await startGatewayFixture({
      serve: true,
      foreign: () => foreign,
      script: (_request, index) =>
        index === 1 ? { text: 'slow answer that stalls', stallAfterChunks: 1 } : { text: 'ok' },
    });
    const outcomes: unknown[] = [];
    foreign = async (session) => {
      const openai = client(session);
      await openai.chat.completions.create({
        model: 'agentd/auto',
        messages: [{ role: 'user', content: 'one' }],
      });
      outcomes.push(
        await refusal(
          openai.chat.completions.create({
            model: 'agentd/auto',
            messages: [{ role: 'user', content: 'two' }],
          }),
        ),
      );
      return 'stopped';
    };
    const capped = await fixture.runtime.tasks.run({
      prompt: 'x',
      agent: { name: 'foreign' },
      budget: { modelCalls: 1 },
    });
    expect(capped.status).toBe('succeeded');
    expect(outcomes[0]).toMatchObject({
      status: 402,
      error: { type: 'insufficient_quota', code: 'budget_exceeded' },
    });

    // Mid-stream: the task's running time runs out while the model's answer is streaming.
    const streamed: string[] = [];
    foreign = async (session) => {
      const stream = await client(session).chat.completions.create({
        model: 'agentd/auto',
        messages: [{ role: 'user', content: 'stream' }],
        stream: true,
      });
      try {
        for await (const chunk of stream) streamed.push(chunk.choices[0]?.delta.content ?? '');
      } catch (error) {
        outcomes.push(
          error instanceof OpenAI.APIError ? { message: error.message, error: error.error } : error,
        );
      }
      return 'cut off';
    };
    const timed = await fixture.runtime.tasks.run({
      prompt: 'y',
      agent: { name: 'foreign' },
      budget: { wallTimeMs: 1_500 },
    });
    expect(timed.status).toBe('failed');
    expect(streamed.join('')).not.toBe('');
    expect(outcomes[1]).toMatchObject({ error: { type: 'insufficient_quota', code: 'budget_exceeded' } });
  });

  it('scopes a key to its own task: another task’s key acts on that task only, and is dead once its run ends', async () => {
    fixture = await startGatewayFixture({ serve: true, foreign: () => foreign });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let keyOfA: GatewaySession | undefined;
    let opened!: () => void;
    const aOpened = new Promise<void>((resolve) => (opened = resolve));
    foreign = async (session) => {
      keyOfA = session;
      opened();
      await held;
      return 'a';
    };
    const a = await fixture.runtime.tasks.submit({ prompt: 'task a', agent: { name: 'alpha' } });
    await aOpened;
    const aKey = keyOfA;
    if (!aKey) throw new Error('no session');
    foreign = async (session) => {
      // B uses A's key: the call is A's (A's ledger, A's budget), never B's.
      await client({ baseUrl: session.baseUrl, apiKey: aKey.apiKey }).chat.completions.create({
        model: 'agentd/auto',
        messages: [{ role: 'user', content: 'with the other key' }],
      });
      return 'b';
    };
    const b = await fixture.runtime.tasks.run({ prompt: 'task b', agent: { name: 'beta' } });
    release();
    const aDone = await fixture.runtime.tasks.wait(a.id);
    expect(b.modelCalls).toBe(0);
    expect(aDone.modelCalls).toBe(1);
    const aSpans = await fixture.runtime.tasks.spans(a.id);
    expect(aSpans.filter((s) => s.name.startsWith('chat '))[0]?.attributes).toMatchObject({
      'gen_ai.agent.name': 'alpha',
    });

    // A's run has ended: its key is revoked.
    const dead = await refusal(
      client(aKey).chat.completions.create({
        model: 'agentd/auto',
        messages: [{ role: 'user', content: 'late' }],
      }),
    );
    expect(dead).toMatchObject({ status: 401, error: { code: 'invalid_api_key' } });
    const forged = await refusal(
      client({ baseUrl: aKey.baseUrl, apiKey: `${aKey.apiKey.slice(0, -4)}AAAA` }).models.list(),
    );
    expect(forged.status).toBe(401);
  });

  it('answers OpenAI-shaped errors: unknown model 404, n > 1 and unknown fields 400, bad JSON 400', async () => {
    fixture = await startGatewayFixture({ serve: true, foreign: () => foreign });
    const results: unknown[] = [];
    foreign = async (session) => {
      const openai = client(session);
      results.push(
        await refusal(
          openai.chat.completions.create({
            model: 'nope/missing',
            messages: [{ role: 'user', content: 'x' }],
          }),
        ),
      );
      results.push(
        await refusal(
          openai.chat.completions.create({
            model: 'agentd/auto',
            n: 2,
            messages: [{ role: 'user', content: 'x' }],
          }),
        ),
      );
      results.push(
        await refusal(
          openai.chat.completions.create({
            model: 'agentd/auto',
            messages: [{ role: 'user', content: 'x' }],
            bogus: 1,
          } as never),
        ),
      );
      const raw = await fetch(`${session.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.apiKey}`, 'content-type': 'application/json' },
        body: '{not json',
      });
      results.push({ status: raw.status, body: await raw.json() });
      const models = await openai.models.list();
      results.push(models.data.map((m) => m.id));
      const embedded = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
      results.push({
        count: embedded.data.length,
        size: embedded.data[0]?.embedding.length,
        model: embedded.model,
      });
      return 'checked';
    };
    await fixture.runtime.tasks.run({ prompt: 'x', agent: { name: 'foreign' } });
    expect(results[0]).toMatchObject({
      status: 404,
      error: { code: 'model_not_found', param: 'model', type: 'invalid_request_error' },
    });
    expect(results[1]).toMatchObject({
      status: 400,
      error: { param: 'n', message: expect.stringContaining('n = 1') },
    });
    expect(results[2]).toMatchObject({ status: 400, error: { message: expect.stringContaining('bogus') } });
    expect(results[3]).toMatchObject({ status: 400, body: { error: { type: 'invalid_request_error' } } });
    expect(results[4]).toEqual(
      expect.arrayContaining(['agentd/auto', 'agentd/cheapest', 'agentd/best', 'local/small', 'local/big']),
    );
    expect(results[5]).toMatchObject({ count: 2, size: expect.any(Number) });
  });
});
