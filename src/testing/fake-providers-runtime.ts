// A runtime whose providers are fake OpenAI-compatible servers on 127.0.0.1, one per provider, each
// serving one model (`<name>/chat`): how provider failure modes are reproduced over the real wire
// protocol, in tests and in the chaos benchmark.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/index.js';
import { createRuntime } from '../runtime/index.js';
import type { Runtime } from '../runtime/index.js';
import { startFakeOpenAIServer } from './fake-openai-server.js';
import type { FakeOpenAIServer, FakeScript } from './fake-openai-server.js';

/** One fake provider: its name, its server's script and its model's price. */
export interface FakeProviderSpec {
  name: string;
  script: FakeScript;
  /** USD per 1M input and output tokens; the router's `cheapest` objective tries the cheapest first. */
  price: [number, number];
  /** The model's own time-to-first-token and stall timeouts (catalog `timeouts`). */
  timeouts?: { firstTokenMs?: number; stallMs?: number };
}

/** A runtime on fake providers, with their servers. */
export interface FakeProvidersRuntime {
  runtime: Runtime;
  /** By provider name. */
  servers: Record<string, FakeOpenAIServer>;
  home: string;
  /** Chat-completions requests a provider's server received so far. */
  chatRequests(name: string): number;
  /** Opens another runtime on the same home and config (as another process would). */
  reopen(): Promise<Runtime>;
  /** Closes the runtime (and any reopened one), the servers, and deletes the home unless it was given. */
  close(): Promise<void>;
}

/**
 * Starts one fake server per provider and a runtime routing between their models. `config` is
 * merged over the defaults: models routed by `cheapest` without exploration, memory off (not what
 * these runs are about, and embedding every episode would only slow them down).
 */
export async function createFakeProvidersRuntime(options: {
  providers: readonly FakeProviderSpec[];
  config?: Record<string, unknown>;
  home?: string;
}): Promise<FakeProvidersRuntime> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'agentd-providers-'));
  const servers: Record<string, FakeOpenAIServer> = {};
  const runtimes: Runtime[] = [];
  try {
    for (const provider of options.providers) {
      servers[provider.name] = await startFakeOpenAIServer({ script: provider.script });
    }
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      // The defaults as a config file (JSON is YAML), so that `config` merges over them key by key.
      files: [
        {
          path: 'agentd.yaml',
          text: JSON.stringify({
            providers: Object.fromEntries(
              options.providers.map((p) => [
                p.name,
                { type: 'openai-compatible', baseUrl: servers[p.name]?.baseUrl },
              ]),
            ),
            models: {
              default: `${options.providers[0]?.name ?? 'none'}/chat`,
              catalog: options.providers.map((p) => ({
                id: `${p.name}/chat`,
                inputPerMTok: p.price[0],
                outputPerMTok: p.price[1],
                contextWindow: 32_000,
                capabilities: { tools: true, json: true },
                ...(p.timeouts ? { timeouts: p.timeouts } : {}),
              })),
            },
            router: { unpinned: 'route', objective: 'cheapest', exploration: { share: 0 } },
            memory: { enabled: false },
          }),
        },
      ],
      cwd: home,
      userHome: home,
      ...(options.config ? { overrides: options.config } : {}),
    });
    const open = async () => {
      const runtime = await createRuntime({ loadedConfig: config, detectLocalServer: false });
      runtimes.push(runtime);
      return runtime;
    };
    const runtime = await open();
    return {
      runtime,
      servers,
      home,
      chatRequests: (name) =>
        servers[name]?.requests.filter((r) => r.path === '/v1/chat/completions').length ?? 0,
      reopen: open,
      async close() {
        for (const r of runtimes.splice(0)) await r.close();
        for (const server of Object.values(servers)) await server.close();
        if (!options.home) rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const r of runtimes) await r.close();
    for (const server of Object.values(servers)) await server.close();
    if (!options.home) rmSync(home, { recursive: true, force: true });
    throw error;
  }
}
