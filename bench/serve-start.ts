// The `agentd serve` part of the overhead benchmark: a real process started from the bundle, its
// cold start to the first 200 of /v1/health, its idle memory, and what the first tasks it runs cost
// more than later ones (modules, workers and models that load on first use).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { median } from './bench-kit.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Warm tasks run after each first task; their median is what a first task is compared with. */
const WARM_TASKS = 5;

/** A first task against the warm ones after it: wall time of `POST /v1/tasks?wait=true`. */
export interface FirstTask {
  firstMs: number;
  warmMedianMs: number;
}

/** One `agentd serve` process from spawn to shutdown. */
export interface ServeRun {
  coldStartMs: number;
  /** VmRSS 1 s after the first 200. */
  idleRssBytes: number;
  /** The first task of the process (no budget), and the first one with a budget after the plain ones. */
  plain: FirstTask;
  budgeted: FirstTask;
  /** VmRSS once the tasks are done. */
  afterTasksRssBytes: number;
}

/** The serve part's figures, or why it did not run. */
export interface ServeMeasurement {
  runs: ServeRun[];
  /** Why the bundle was rebuilt ('missing' or 'older than src/'), if it was. */
  built?: string;
}

/** The request body of a benchmark task: the simulated model, a tenant of its own (nothing to recall). */
function taskBody(tenant: string, budgeted: boolean): Record<string, unknown> {
  return {
    prompt: 'Write a haiku about tides',
    tenant,
    ...(budgeted ? { budget: { usd: 1 } } : {}),
  };
}

/** Starts `agentd serve` `runs` times from the bundle (rebuilt first if stale) and measures each. */
export async function measureServe(runs: number): Promise<ServeMeasurement | { skipped: string }> {
  const built = ensureBundle();
  if (built && 'error' in built) return { skipped: built.error };
  const measured: ServeRun[] = [];
  for (let i = 0; i < runs; i++) measured.push(await serveOnce(i));
  return { runs: measured, ...(built ? { built: built.reason } : {}) };
}

/** Rebuilds dist/ when dist/cli.js is missing or older than any file in src/. */
function ensureBundle(): { reason: string } | { error: string } | undefined {
  const bundle = join(ROOT, 'dist', 'cli.js');
  const reason = !existsSync(bundle)
    ? 'missing'
    : newestMtime(join(ROOT, 'src')) > statSync(bundle).mtimeMs
      ? 'older than src/'
      : undefined;
  if (!reason) return undefined;
  process.stdout.write(`  dist/cli.js is ${reason}: running node scripts/build.mjs\n`);
  const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    return { error: 'node scripts/build.mjs failed' };
  }
  return { reason };
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

async function serveOnce(run: number): Promise<ServeRun> {
  const home = mkdtempSync(join(tmpdir(), 'agentd-bench-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'agentd-bench-cwd-'));
  const port = await freePort();
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      value === undefined ||
      key.endsWith('_API_KEY') ||
      key.startsWith('AGENTD_') ||
      key === 'NODE_OPTIONS'
    )
      continue;
    env[key] = value;
  }
  env['AGENTD_HOME'] = home;

  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'agentd.js'), 'serve', '--port', String(port)], {
    cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  try {
    for (;;) {
      if (exited) throw new Error(`agentd serve exited before answering:\n${stderr}`);
      if (performance.now() - started > 30_000)
        throw new Error(`agentd serve did not answer within 30 s:\n${stderr}`);
      if ((await call(port, 'GET', '/v1/health')).status === 200) break;
      await sleep(5);
    }
    const coldStartMs = performance.now() - started;
    await sleep(1000);
    const idleRssBytes = readRss(child.pid as number);
    let task = 0;
    const timeTask = async (budgeted: boolean): Promise<number> => {
      const body = taskBody(`bench-${run}-${task++}`, budgeted);
      const taskStarted = performance.now();
      const answer = await call(port, 'POST', '/v1/tasks?wait=true', body);
      const ms = performance.now() - taskStarted;
      const status = (JSON.parse(answer.body) as { status?: string }).status;
      if (answer.status !== 200 || status !== 'succeeded')
        throw new Error(`task ${task}: HTTP ${answer.status}, ${answer.body.slice(0, 300)}\n${stderr}`);
      return ms;
    };
    const firstThenWarm = async (budgeted: boolean): Promise<FirstTask> => {
      const firstMs = await timeTask(budgeted);
      const warm: number[] = [];
      for (let i = 0; i < WARM_TASKS; i++) warm.push(await timeTask(budgeted));
      return { firstMs, warmMedianMs: median(warm) };
    };
    const plain = await firstThenWarm(false);
    const budgeted = await firstThenWarm(true);
    const afterTasksRssBytes = readRss(child.pid as number);
    return { coldStartMs, idleRssBytes, plain, budgeted, afterTasksRssBytes };
  } finally {
    if (!exited) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exit;
      clearTimeout(killer);
    }
    rmSync(home, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** One HTTP request to the server; status 0 when the connection fails (not listening yet). */
function call(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent: false,
        headers: payload ? { 'content-type': 'application/json' } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(payload);
  });
}

/** Resident set size of a process, from /proc/<pid>/status (Linux). */
function readRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
