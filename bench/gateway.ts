// `npm run bench -- gateway [--calls N]`: what the OpenAI-compatible gateway adds to a model call.
// The official `openai` client calls the fake OpenAI-compatible server (in a process of its own, no
// delay) directly, then the same requests through `/openai/v1` of an in-process `agentd serve` with a
// task key (each call a governed, journaled, metered, traced call of a running task's agent), and
// reports p50/p95 per call, non-streamed and time to first token streamed, and the difference.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import OpenAI from 'openai';
import type { AgentRunner } from '../src/agents/index.js';
import { loadConfig } from '../src/config/index.js';
import { createRuntime } from '../src/runtime/index.js';
import { startServer } from '../src/server/index.js';
import { formatMs, intOption, machineLine, percentile, printTable } from './bench-kit.js';
import { cleanEnv, ROOT } from './serve-kit.js';

const WARM_UP = 50;

interface Timings {
  whole: number[];
  firstToken: number[];
}

/** `calls` non-streamed and `calls` streamed requests, after a warm-up, timed from the client. */
async function measure(openai: OpenAI, model: string, calls: number): Promise<Timings> {
  const messages = [{ role: 'user' as const, content: 'Say done.' }];
  const one = () => openai.chat.completions.create({ model, messages });
  const streamed = async (): Promise<number> => {
    const started = performance.now();
    const stream = await openai.chat.completions.create({ model, messages, stream: true });
    let first = 0;
    for await (const chunk of stream) {
      if (!first && chunk.choices[0]?.delta.content) first = performance.now() - started;
    }
    return first;
  };
  for (let i = 0; i < WARM_UP; i++) {
    await one();
    await streamed();
  }
  const timings: Timings = { whole: [], firstToken: [] };
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await one();
    timings.whole.push(performance.now() - started);
    timings.firstToken.push(await streamed());
  }
  return timings;
}

/** Starts bench/fake-openai-process.ts without delay and waits for its base URL. */
async function startFake(): Promise<{ baseUrl: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'fake-openai-process.ts'), '--delay-ms', '0'],
    { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the fake OpenAI server exited (${code})`)));
    lines.once('line', resolve);
  });
  const { baseUrl } = JSON.parse(first) as { baseUrl: string };
  return {
    baseUrl,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const calls = intOption(args, 'calls', 300);
  process.stdout.write(
    `gateway: ${calls} non-streamed + ${calls} streamed calls per path after ${WARM_UP} warm-up pairs\n`,
  );
  process.stdout.write(`${machineLine()}\n`);
  const fake = await startFake();
  const home = mkdtempSync(join(tmpdir(), 'agentd-bench-gateway-'));
  try {
    const direct = await measure(
      new OpenAI({ baseURL: fake.baseUrl, apiKey: 'sk-bench', maxRetries: 0 }),
      'fake-model',
      calls,
    );

    let measured: Timings | undefined;
    // The task's one agent stands in for a foreign framework: it takes its gateway session and calls.
    const runner: AgentRunner = {
      async run(agent, _input, ctx) {
        const agentSpan = ctx.tracer.startSpan(`invoke_agent ${agent.name}`, {
          kind: 'agent',
          taskId: ctx.durable.taskId,
          parent: ctx.parentSpan,
        });
        const session = await ctx.gateway?.open({ agent, context: ctx, agentSpan });
        if (!session) throw new Error('no gateway');
        measured = await measure(
          new OpenAI({ baseURL: session.baseUrl, apiKey: session.apiKey, maxRetries: 0 }),
          'fake/fake-model',
          calls,
        );
        await session.close();
        agentSpan.end();
        return { agent: agent.name, output: 'done' };
      },
    };
    const config = loadConfig({
      env: { AGENTD_HOME: home },
      files: [
        {
          path: 'agentd.yaml',
          text: [
            'providers:',
            '  fake:',
            '    type: openai-compatible',
            `    baseUrl: ${fake.baseUrl}`,
            'models:',
            '  default: fake/fake-model',
            'memory:',
            '  enabled: false',
            'executor:',
            '  maxTaskSteps: 100000',
          ].join('\n'),
        },
      ],
      cwd: home,
      userHome: home,
    });
    const runtime = await createRuntime({
      loadedConfig: config,
      detectLocalServer: false,
      agentRunner: runner,
    });
    const server = await startServer({ runtime, host: '127.0.0.1', port: 0 });
    try {
      const result = await runtime.tasks.run({ prompt: 'bench', agent: { name: 'bench', maxSteps: 100 } });
      if (result.status !== 'succeeded' || !measured)
        throw new Error(`the bench task ${result.status}: ${JSON.stringify(result.error)}`);
    } finally {
      await server.close();
      await runtime.close();
    }
    const via = measured as Timings;
    const row = (name: string, d: number[], g: number[]) => [
      name,
      formatMs(percentile(d, 50)),
      formatMs(percentile(g, 50)),
      formatMs(percentile(g, 50) - percentile(d, 50)),
      formatMs(percentile(d, 95)),
      formatMs(percentile(g, 95)),
      formatMs(percentile(g, 95) - percentile(d, 95)),
    ];
    printTable(
      ['call', 'direct p50', 'gateway p50', 'added p50', 'direct p95', 'gateway p95', 'added p95'],
      [
        row('non-streamed (whole call)', direct.whole, via.whole),
        row('streamed (first token)', direct.firstToken, via.firstToken),
      ],
    );
  } finally {
    await fake.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
