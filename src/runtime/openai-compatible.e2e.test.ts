import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.js';
import { startFakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { FakeOpenAIServer, FakeScript } from '../testing/fake-openai-server.js';
import { createRuntime } from './create-runtime.js';
import type { Runtime } from './runtime.js';

describe('a task on an OpenAI-compatible server', () => {
  let dir: string | undefined;
  let server: FakeOpenAIServer | undefined;
  let runtime: Runtime | undefined;
  afterEach(async () => {
    await runtime?.close();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function start(script: FakeScript): Promise<Runtime> {
    dir = mkdtempSync(join(tmpdir(), 'agentd-oai-'));
    server = await startFakeOpenAIServer({ script });
    const config = loadConfig({
      env: { AGENTD_HOME: dir, LOCAL_KEY: 'sk-local-test-key' },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            'providers:',
            '  local:',
            '    type: openai-compatible',
            `    baseUrl: ${server.baseUrl}`,
            '    apiKey: env:LOCAL_KEY',
            'models:',
            '  default: local/small',
            '  catalog:',
            '    - id: local/small',
            '      inputPerMTok: 0.5',
            '      outputPerMTok: 1.5',
            '      capabilities: {tools: true, json: true}',
          ].join('\n'),
        },
      ],
      cwd: dir,
      userHome: dir,
    });
    runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false, maxRetries: 0 });
    return runtime;
  }

  it('runs a tool call over the wire and prices both calls from the usage the server reports', async () => {
    const rt = await start((_request, index) =>
      index === 0
        ? {
            toolCalls: [{ id: 'call_1', name: 'current_time', arguments: { timezone: 'UTC' } }],
            usage: { promptTokens: 1000, completionTokens: 50 },
          }
        : { text: 'It is now.', usage: { promptTokens: 2000, completionTokens: 10 } },
    );
    const result = await rt.tasks.run({
      prompt: 'What time is it?',
      agent: { name: 'clock', tools: ['current_time'] },
    });
    expect(result).toMatchObject({
      status: 'succeeded',
      output: 'It is now.',
      modelCalls: 2,
      toolCalls: 1,
      cost: { inputTokens: 3000, outputTokens: 60, usd: (3000 * 0.5 + 60 * 1.5) / 1_000_000 },
    });
    const chats = server?.requests.filter((r) => r.path === '/v1/chat/completions') ?? [];
    expect(chats).toHaveLength(2);
    expect(chats[0]?.headers['authorization']).toBe('Bearer sk-local-test-key');
    expect(chats[0]?.body?.model).toBe('small');
    expect(chats[0]?.body?.tools?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'current_time' },
    });
    const toolMessage = chats[1]?.body?.messages?.find((m) => m.role === 'tool');
    expect(toolMessage?.tool_call_id).toBe('call_1');
    expect(String(toolMessage?.content)).toMatch(/"timezone":"UTC"/);
    const model = (await rt.tasks.spans(result.id)).filter((s) => s.kind === 'model');
    expect(model.map((s) => s.attributes['gen_ai.usage.input_tokens'])).toEqual([1000, 2000]);
  });

  it('fails with the provider error when the server answers 401', async () => {
    const rt = await start(() => ({ status: 401, errorMessage: 'Incorrect API key provided' }));
    const result = await rt.tasks.run({ prompt: 'hi' });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('model.auth_failed');
    expect(result.error?.message).toContain('Incorrect API key provided');
  });
});
