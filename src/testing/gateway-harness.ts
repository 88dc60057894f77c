import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentRunner, AgentSpec, GatewaySession } from '../agents/index.js';
import { loadConfig } from '../config/index.js';
import { toAgentdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/index.js';
import { startServer } from '../server/index.js';
import type { RunningServer } from '../server/index.js';
import { ATTR } from '../trace/index.js';
import { startFakeOpenAIServer } from './fake-openai-server.js';
import type { FakeOpenAIServer, FakeScript } from './fake-openai-server.js';

/** What a stand-in foreign agent does with its gateway session; its return value is the agent's output. */
export type ForeignAgent = (
  session: GatewaySession,
  agent: AgentSpec,
  signal: AbortSignal,
) => Promise<string>;

/**
 * An agent runner for tests: each agent run opens a gateway session (a task key on the OpenAI-compatible
 * endpoint) and hands it to `foreign()`, as a framework kind would, under an `invoke_agent` span.
 */
export function foreignAgentRunner(foreign: () => ForeignAgent): AgentRunner {
  return {
    async run(agent, _input, ctx) {
      const agentSpan = ctx.tracer.startSpan(`invoke_agent ${agent.name}`, {
        kind: 'agent',
        taskId: ctx.durable.taskId,
        parent: ctx.parentSpan,
        attributes: { [ATTR.operationName]: 'invoke_agent', [ATTR.agentName]: agent.name },
      });
      if (!ctx.gateway) throw new Error('the agent context has no gateway');
      const session = await ctx.gateway.open({ agent, context: ctx, agentSpan });
      try {
        const output = await foreign()(session, agent, ctx.durable.signal);
        agentSpan.end();
        return { agent: agent.name, output };
      } catch (error) {
        const failure = toAgentdError(error);
        agentSpan.end({ code: failure.code, message: failure.message });
        throw failure;
      } finally {
        await session.close();
      }
    },
  };
}

/** A runtime whose models are a fake OpenAI-compatible server, and (optionally) `agentd serve` over it. */
export interface GatewayFixture {
  dir: string;
  upstream: FakeOpenAIServer;
  runtime: Runtime;
  server: RunningServer | undefined;
  /** Opens another runtime on the same home (the same SQLite file), e.g. after closing this one. */
  reopen(options?: { resume?: boolean }): Promise<Runtime>;
  close(): Promise<void>;
}

/** Starts the fixture: `foreign` is read at each agent run, so a test can swap it. */
export async function startGatewayFixture(options: {
  script?: FakeScript;
  foreign: () => ForeignAgent;
  serve?: boolean;
  authToken?: string;
  yaml?: string[];
  /** Where the server logs its errors. */
  logger?: Logger;
}): Promise<GatewayFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'agentd-gateway-'));
  const upstream = await startFakeOpenAIServer(options.script ? { script: options.script } : {});
  const config = () =>
    loadConfig({
      env: { AGENTD_HOME: dir, LOCAL_KEY: 'sk-local-test-key' },
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
            '    - id: local/big',
            '      inputPerMTok: 5',
            '      outputPerMTok: 15',
            '      capabilities: {tools: true, json: true}',
            'memory:',
            '  embeddings: {provider: local, model: embed-small}',
            ...(options.yaml ?? []),
          ].join('\n'),
        },
      ],
      cwd: dir,
      userHome: dir,
    });
  const open = (resume = false) =>
    createRuntime({
      loadedConfig: config(),
      detectLocalServer: false,
      maxRetries: 0,
      resume,
      agentRunner: foreignAgentRunner(options.foreign),
    });
  const fixture: GatewayFixture = {
    dir,
    upstream,
    runtime: await open(),
    server: undefined,
    async reopen(reopenOptions = {}) {
      fixture.runtime = await open(reopenOptions.resume ?? false);
      return fixture.runtime;
    },
    async close() {
      await fixture.server?.close();
      await fixture.runtime.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (options.serve) {
    fixture.server = await startServer({
      runtime: fixture.runtime,
      host: '127.0.0.1',
      port: 0,
      ...(options.authToken ? { authToken: options.authToken } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }
  return fixture;
}
