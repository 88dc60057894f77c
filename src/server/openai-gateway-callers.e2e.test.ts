import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayFixture } from '../testing/gateway-harness.js';
import { until } from '../testing/until.js';
import type { ForeignAgent, GatewayFixture } from '../testing/gateway-harness.js';

const run = promisify(execFile);
const PYTHON_CLIENT = fileURLToPath(new URL('./fixtures/gateway-client.py', import.meta.url));

describe('gateway callers: a Python stdlib agent, and standalone use with agentd credentials', () => {
  let fixture: GatewayFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('serves a Python agent that uses only urllib, with its task key from the environment', async () => {
    let foreign: ForeignAgent = () => Promise.resolve('');
    fixture = await startGatewayFixture({
      serve: true,
      foreign: () => foreign,
      script: (_request, index) => ({ text: `py ${index}`, usage: { promptTokens: 7, completionTokens: 3 } }),
    });
    foreign = async (session) => {
      const { stdout } = await run('python3', [PYTHON_CLIENT], {
        env: {
          PATH: process.env['PATH'] ?? '',
          OPENAI_BASE_URL: session.baseUrl,
          OPENAI_API_KEY: session.apiKey,
        },
      });
      return stdout.trim();
    };
    const result = await fixture.runtime.tasks.run({ prompt: 'python', agent: { name: 'py-agent' } });
    expect(result.status).toBe('succeeded');
    expect(JSON.parse(result.output ?? '{}')).toEqual({
      plain: 'py 0',
      streamed: 'py 1',
      usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
      refused: {
        status: 400,
        error: expect.objectContaining({ type: 'invalid_request_error', param: 'n' }) as unknown,
      },
    });
    expect(result.modelCalls).toBe(2);
  });

  it('lets a holder of models.call use the gateway standalone: each call a small task, grouped by `user`', async () => {
    fixture = await startGatewayFixture({
      serve: true,
      authToken: 'a-long-enough-server-token-for-the-test-0123456789',
      foreign: () => () => Promise.resolve(''),
      script: [{ text: 'standalone answer', usage: { promptTokens: 20, completionTokens: 4 } }],
    });
    const baseURL = `${fixture.server?.url}/openai/v1`;
    const agentKey = await fixture.runtime.keys.create({ name: 'svc', role: 'agent' });
    const viewerKey = await fixture.runtime.keys.create({ name: 'looker', role: 'viewer' });

    const openai = new OpenAI({ baseURL, apiKey: agentKey.key, maxRetries: 0 });
    const { data, response } = await openai.chat.completions
      .create({ model: 'local/small', user: 'alice', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('standalone answer');
    expect(data.model).toBe('local/small');
    const taskId = response.headers.get('x-agentd-task-id');
    expect(taskId).toMatch(/^task_/);
    const recorded = await until(() => fixture?.runtime.tasks.get(taskId ?? ''));
    expect(recorded).toMatchObject({ status: 'succeeded', modelCalls: 1 });
    const spans = await fixture.runtime.tasks.spans(taskId ?? '');
    const agentSpan = spans.find((s) => s.name === 'invoke_agent gateway.alice');
    expect(spans.find((s) => s.name === 'chat small')).toMatchObject({
      parentSpanId: agentSpan?.spanId,
      attributes: { 'gen_ai.agent.name': 'gateway.alice', 'gen_ai.usage.input_tokens': 20 },
    });

    const viewer = new OpenAI({ baseURL, apiKey: viewerKey.key, maxRetries: 0 });
    await expect(
      viewer.chat.completions.create({ model: 'agentd/auto', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({
      status: 403,
      error: { type: 'permission_error' },
    });
    const nobody = new OpenAI({ baseURL, apiKey: 'sk-not-a-key', maxRetries: 0 });
    await expect(nobody.models.list()).rejects.toMatchObject({
      status: 401,
      error: { code: 'invalid_api_key' },
    });
  });
});
