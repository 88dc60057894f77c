import { APICallError, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeOpenAIServer } from '../../testing/fake-openai-server.js';
import type { FakeOpenAIServer, FakeScript } from '../../testing/fake-openai-server.js';
import { until } from '../../testing/until.js';
import type { ModelProvider } from '../language-model.js';
import type { ResolvedProviderConfig } from '../models-config.js';
import { createOpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import { createOpenAIProvider } from './openai/openai-provider.js';

// Both providers speak the OpenAI chat-completions protocol, so they get the same behaviour
// checks against a real local server.
const cases: {
  type: ResolvedProviderConfig['type'];
  create: (c: ResolvedProviderConfig) => ModelProvider;
}[] = [
  { type: 'openai', create: createOpenAIProvider },
  { type: 'openai-compatible', create: createOpenAICompatibleProvider },
];

describe.each(cases)('$type provider over the OpenAI protocol', ({ type, create }) => {
  let server: FakeOpenAIServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function setup(script: FakeScript) {
    server = await startFakeOpenAIServer({ script });
    const provider = create({
      name: 'local',
      type,
      baseUrl: server.baseUrl,
      apiKey: 'sk-test',
      headers: { 'x-agentd-test': 'yes' },
      origin: 'config',
    });
    return { server, model: provider.languageModel('fake-model') };
  }

  const weather = tool({
    description: 'The weather in a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => ({ city, forecast: 'sunny' }),
  });

  it('generates text and reports the server usage', async () => {
    const { server, model } = await setup([
      { text: 'Hello from the fake.', usage: { promptTokens: 12, completionTokens: 5 } },
    ]);
    const result = await generateText({ model, prompt: 'Say hello' });
    expect(result.text).toBe('Hello from the fake.');
    expect(result.usage.inputTokens).toBe(12);
    expect(result.usage.outputTokens).toBe(5);
    expect(result.usage.totalTokens).toBe(17);
    const request = server.requests[0];
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body?.model).toBe('fake-model');
    expect(request?.body?.messages).toEqual([{ role: 'user', content: 'Say hello' }]);
    expect(request?.headers['authorization']).toBe('Bearer sk-test');
    expect(request?.headers['x-agentd-test']).toBe('yes');
  });

  it('streams text and reports the server usage', async () => {
    const { server, model } = await setup([
      { text: 'one two three four', usage: { promptTokens: 9, completionTokens: 4 } },
    ]);
    const result = streamText({ model, prompt: 'Count' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join('')).toBe('one two three four');
    expect(deltas.length).toBeGreaterThan(1);
    const usage = await result.usage;
    expect(usage.inputTokens).toBe(9);
    expect(usage.outputTokens).toBe(4);
    expect(server.requests[0]?.body?.stream).toBe(true);
    expect(server.requests[0]?.body?.stream_options).toEqual({ include_usage: true });
  });

  it('completes a tool call round trip with generateText', async () => {
    const { server, model } = await setup([
      { toolCalls: [{ id: 'call_1', name: 'weather', arguments: { city: 'Paris' } }] },
      { text: 'It is sunny in Paris.' },
    ]);
    const result = await generateText({
      model,
      prompt: 'Weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'Paris' } });
    expect(server.requests[0]?.body?.tools?.[0]?.function.name).toBe('weather');
    const messages = server.requests[1]?.body?.messages ?? [];
    const assistant = messages.find((m) => m.role === 'assistant');
    expect(assistant?.tool_calls?.[0]).toMatchObject({ id: 'call_1', function: { name: 'weather' } });
    const toolMessage = messages.find((m) => m.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_1');
    expect(JSON.parse(String(toolMessage?.content))).toEqual({ city: 'Paris', forecast: 'sunny' });
  });

  it('completes a tool call round trip with streamText (tool-call deltas)', async () => {
    const { server, model } = await setup([
      { toolCalls: [{ id: 'call_7', name: 'weather', arguments: { city: 'Lisbon' } }] },
      { text: 'Sunny in Lisbon.' },
    ]);
    const result = streamText({
      model,
      prompt: 'Weather in Lisbon?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    expect(await result.text).toBe('Sunny in Lisbon.');
    const steps = await result.steps;
    expect(steps[0]?.toolCalls[0]).toMatchObject({ toolCallId: 'call_7', input: { city: 'Lisbon' } });
    const toolMessage = server.requests[1]?.body?.messages?.find((m) => m.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_7');
  });

  it('surfaces an error status as an APICallError with that status', async () => {
    const { model } = await setup([{ status: 500, errorMessage: 'upstream broke' }]);
    const error: unknown = await generateText({ model, prompt: 'x', maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(error)).toBe(true);
    const apiError = error as APICallError;
    expect(apiError.statusCode).toBe(500);
    expect(apiError.message).toContain('upstream broke');
    expect(apiError.isRetryable).toBe(true);
  });

  it('surfaces 429 with its retry-after header, and 401 as not retryable', async () => {
    const { model } = await setup([{ status: 429, headers: { 'retry-after': '1' } }, { status: 401 }]);
    const limited = (await generateText({ model, prompt: 'x', maxRetries: 0 }).catch(
      (e: unknown) => e,
    )) as APICallError;
    expect(limited.statusCode).toBe(429);
    expect(limited.responseHeaders?.['retry-after']).toBe('1');
    expect(limited.isRetryable).toBe(true);
    const unauthorised = (await generateText({ model, prompt: 'x', maxRetries: 0 }).catch(
      (e: unknown) => e,
    )) as APICallError;
    expect(unauthorised.statusCode).toBe(401);
    expect(unauthorised.isRetryable).toBe(false);
  });

  it('surfaces an error status in a stream as an error part with the status', async () => {
    const { model } = await setup([{ status: 503 }]);
    const result = streamText({ model, prompt: 'x', maxRetries: 0, onError: () => {} });
    const errors: unknown[] = [];
    for await (const part of result.fullStream) if (part.type === 'error') errors.push(part.error);
    expect(errors).toHaveLength(1);
    expect((errors[0] as APICallError).statusCode).toBe(503);
  });

  it('is retried by the AI SDK after a retryable status', async () => {
    const { server, model } = await setup([
      { status: 500, headers: { 'retry-after-ms': '5' } },
      { text: 'second time' },
    ]);
    const result = await generateText({ model, prompt: 'x', maxRetries: 1 });
    expect(result.text).toBe('second time');
    expect(server.requests).toHaveLength(2);
  });

  it('rejects with an AbortError when the call is aborted', async () => {
    const { model, server: fake } = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = generateText({ model, prompt: 'x', abortSignal: controller.signal, maxRetries: 0 });
    await until(() => fake.requests.length === 1, { message: 'the request to arrive' });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
