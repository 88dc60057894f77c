import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime, RuntimeOptions } from '../runtime/index.js';
import { startFakeOpenAIServer } from './fake-openai-server.js';
import type { FakeOpenAIServer, FakeReply, FakeScript, RecordedRequest } from './fake-openai-server.js';

/** A runtime whose only provider is the fake OpenAI-compatible server, with foreign agents allowed. */
export interface KindsGatewayFixture {
  dir: string;
  upstream: FakeOpenAIServer;
  runtime: Runtime;
  /** The options the runtime was built from (for `runCli`, which builds its own). */
  options(resume?: boolean): RuntimeOptions;
  /** Opens another runtime on the same home (the same SQLite file), e.g. after closing this one. */
  reopen(options?: { resume?: boolean }): Promise<Runtime>;
  /** The chat-completions requests the fake server received. */
  chats(): FakeOpenAIServer['requests'];
  close(): Promise<void>;
}

/**
 * Starts the fixture: agents' modules and programs come from `projectDir`, and `python3` and this
 * Node binary are allowed commands; every model call (native or through the gateway) reaches the fake.
 */
export async function startKindsGatewayFixture(options: {
  script: FakeScript;
  projectDir: string;
}): Promise<KindsGatewayFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'agentd-kinds-gateway-'));
  const upstream = await startFakeOpenAIServer({ script: options.script });
  const config = () =>
    loadConfig({
      env: { AGENTD_HOME: dir, LOCAL_KEY: 'sk-upstream-key' },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            'providers:',
            '  local:',
            '    type: openai-compatible',
            `    baseUrl: ${upstream.baseUrl}`,
            '    apiKey: env:LOCAL_KEY',
            'models:',
            '  default: local/small',
            '  catalog:',
            '    - id: local/small',
            '      inputPerMTok: 0.5',
            '      outputPerMTok: 1.5',
            '      capabilities: {tools: true, json: true}',
            'memory: {enabled: false}',
            'agents:',
            `  projectDir: ${JSON.stringify(options.projectDir)}`,
            `  allowedCommands: [python3, ${JSON.stringify(process.execPath)}]`,
          ].join('\n'),
        },
      ],
      cwd: dir,
      userHome: dir,
    });
  const runtimeOptions = (resume = false): RuntimeOptions => ({
    loadedConfig: config(),
    detectLocalServer: false,
    maxRetries: 0,
    resume,
  });
  const fixture: KindsGatewayFixture = {
    dir,
    upstream,
    runtime: await createRuntime(runtimeOptions()),
    options: runtimeOptions,
    async reopen(reopenOptions = {}) {
      fixture.runtime = await createRuntime(runtimeOptions(reopenOptions.resume ?? false));
      return fixture.runtime;
    },
    chats: () => upstream.requests.filter((r) => r.path === '/v1/chat/completions'),
    async close() {
      await fixture.runtime.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fixture;
}

/**
 * The fake's answers for the examples' trip team: the LangGraph agent (which sends tools) asks for
 * the forecast, then answers; any call without tools (the planner, the Python agent) gets the summary.
 */
export function tripReply(request: RecordedRequest): FakeReply {
  const messages = request.body?.messages ?? [];
  if (request.body?.tools?.length) {
    return messages.some((m) => m.role === 'tool')
      ? { text: 'Oslo tomorrow: 18°C and rain.', usage: { promptTokens: 100, completionTokens: 10 } }
      : {
          toolCalls: [{ name: 'get_forecast', arguments: { city: 'Oslo' } }],
          usage: { promptTokens: 80, completionTokens: 10 },
        };
  }
  return { text: '- Oslo\n- rain\n- umbrella', usage: { promptTokens: 50, completionTokens: 10 } };
}
