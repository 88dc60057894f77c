// `npm run bench -- mcp [--calls N]`: the cost of one MCP tool call (`tasks_list`) through agentd's
// MCP server, over stdio (`agentd mcp`, spawned as a desktop client does) and over Streamable HTTP
// (`/mcp` of `agentd serve`), next to the same operation over plain HTTP (`GET /v1/tasks`). Each
// is timed end to end from the official SDK client, after a warm-up, on a fresh home with a few tasks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { formatMs, intOption, machineLine, percentile, printTable } from './bench-kit.js';
import { cleanEnv, ensureBundle, ROOT, startServe } from './serve-kit.js';

const WARM_UP = 30;

async function timeCalls(calls: number, call: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  return times;
}

async function seed(client: Client): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await client.callTool({ name: 'tasks_create', arguments: { prompt: `seed task ${i}`, wait: true } });
  }
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const calls = intOption(args, '--calls', 300);
  const built = ensureBundle();
  if (built && 'error' in built) throw new Error(built.error);
  process.stdout.write(`mcp: ${calls} tasks_list calls per transport after ${WARM_UP} warm-up calls\n`);
  process.stdout.write(`${machineLine()}\n`);
  const rows: string[][] = [];
  const row = (name: string, times: number[]) =>
    rows.push([name, formatMs(percentile(times, 50)), formatMs(percentile(times, 95))]);

  const home = mkdtempSync(join(tmpdir(), 'agentd-bench-mcp-'));
  try {
    const stdio = new Client({ name: 'bench', version: '1.0.0' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(ROOT, 'bin', 'agentd.js'), 'mcp'],
        env: cleanEnv({ AGENTD_HOME: join(home, 'stdio') }),
        cwd: home,
        stderr: 'ignore',
      }),
    );
    await seed(stdio);
    row(
      'MCP over stdio (agentd mcp)',
      await timeCalls(calls, () => stdio.callTool({ name: 'tasks_list', arguments: {} })),
    );
    await stdio.close();

    const serve = await startServe({ env: cleanEnv({ AGENTD_HOME: join(home, 'http') }), cwd: home });
    try {
      const http = new Client({ name: 'bench', version: '1.0.0' });
      await http.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${serve.port}/mcp`)));
      await seed(http);
      row(
        'MCP over Streamable HTTP (/mcp)',
        await timeCalls(calls, () => http.callTool({ name: 'tasks_list', arguments: {} })),
      );
      await http.close();
      const plain = await timeCalls(calls, async () => {
        const res = await fetch(`http://127.0.0.1:${serve.port}/v1/tasks`);
        await res.json();
      });
      row('plain HTTP (GET /v1/tasks), for comparison', plain);
    } finally {
      await serve.stop();
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  printTable(['transport', 'p50', 'p95'], rows);
}
