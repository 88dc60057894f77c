import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture } from '../testing/gateway-harness.js';
import type { ForeignAgent, GatewayFixture } from '../testing/gateway-harness.js';

describe('durable replay of gateway calls', () => {
  let fixture: GatewayFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('answers a resumed foreign agent’s repeated calls from the journal, unpaid; a call that differs goes to the model', async () => {
    let foreign: ForeignAgent = () => Promise.resolve('');
    fixture = await startGatewayFixture({
      foreign: () => foreign,
      script: (_request, index) => ({
        text: `reply ${index}`,
        usage: { promptTokens: 10, completionTokens: 5 },
      }),
    });
    const chats = () => fixture?.upstream.requests.filter((r) => r.path === '/v1/chat/completions').length;
    const ask = (openai: OpenAI, content: string) =>
      openai.chat.completions
        .create({ model: 'agentd/auto', messages: [{ role: 'user', content }] })
        .then((r) => r.choices[0]?.message.content);

    // The first run makes three calls, then the process goes away mid-run (the runtime closes).
    const first: unknown[] = [];
    let stuck!: () => void;
    const madeCalls = new Promise<void>((resolve) => (stuck = resolve));
    foreign = async (session, _agent, signal) => {
      const openai = new OpenAI({ baseURL: session.baseUrl, apiKey: session.apiKey, maxRetries: 0 });
      for (const content of ['a', 'b', 'c']) first.push(await ask(openai, content));
      stuck();
      await new Promise((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason as Error)),
      );
      return 'never';
    };
    const task = await fixture.runtime.tasks.submit({ prompt: 'replay me', agent: { name: 'foreign' } });
    await madeCalls;
    expect(first).toEqual(['reply 0', 'reply 1', 'reply 2']);
    expect(chats()).toBe(3);
    // The gateway is the runtime's loopback listener here (no `agentd serve`).
    await fixture.runtime.close();

    // The resumed run asks the same first two questions (answered from the journal), then a different third and a fourth.
    const second: unknown[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    foreign = async (session) => {
      const openai = new OpenAI({ baseURL: session.baseUrl, apiKey: session.apiKey, maxRetries: 0 });
      for (const content of ['a', 'b', 'c changed', 'd']) second.push(await ask(openai, content));
      done();
      return 'resumed';
    };
    const runtime = await fixture.reopen({ resume: true });
    await finished;
    const result = await runtime.tasks.wait(task.id);
    expect(result).toMatchObject({ status: 'succeeded', output: 'resumed' });
    expect(second).toEqual(['reply 0', 'reply 1', 'reply 3', 'reply 4']);
    // Only the changed call and the new one reached the model; the ledger has each paid call once.
    expect(chats()).toBe(5);
    expect(result.modelCalls).toBe(5);
    expect(result.cost.inputTokens).toBe(50);
  });
});
