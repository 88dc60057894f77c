// agentd under load, as users run it: a real `agentd serve` process (bin/agentd.js, fresh AGENTD_HOME)
// whose only provider is the fake OpenAI-compatible server of src/testing/ in a process of its own,
// answering every call after 200 ms. Scenarios (all by default; `--only a,b` picks some):
//  - throughput / memory / memory-off: N concurrent tasks of a 3-agent sequential team (model calls/s,
//    task latency, peak RSS, server CPU per call) with `memory.embeddings: none` (the issue's setting,
//    checked against the targets), with the default memory settings, and with memory off;
//  - connections: M clients connecting at once, each submitting a task and waiting for it: every one
//    must be answered (200, or 503 + Retry-After from admission control), none refused or reset;
//  - database / database-memory-off: the embeddings-none (memory-off) run again after its database was
//    filled to 100,000 finished tasks (cloned in SQL from the run's own tasks, bench/seed-tasks.ts).
// Run with `npm run bench -- load`; options: --tasks 1000, --memory-tasks (default --tasks), --agents 3,
// --delay-ms 200, --connections 5000, --db-tasks 100000, --warmup 20, --only, --profile DIR (writes a
// CPU profile of each server process there; summarise it with bench/profile-top.ts).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import {
  describeMachine,
  formatMegabytes,
  formatMs,
  formatRate,
  intOption,
  machineLine,
  option,
  percentile,
  printTable,
} from './bench-kit.js';
import { seedTasks } from './seed-tasks.js';
import type { SeedReport } from './seed-tasks.js';
import { cleanEnv, cpuTimeMs, ensureBundle, procStatusBytes, ROOT, sleep, startServe } from './serve-kit.js';
import type { ServeProcess } from './serve-kit.js';

const TARGETS = {
  callsPerSecond: 500,
  p95Ms: 2000,
  peakRssBytes: 500 * 1024 * 1024,
  /** Throughput with the big database, as a fraction of the empty one's. */
  bigDatabaseRatio: 0.9,
};

type Scenario = 'throughput' | 'memory' | 'memory-off' | 'connections' | 'database' | 'database-memory-off';
const SCENARIOS: readonly Scenario[] = [
  'throughput',
  'memory',
  'memory-off',
  'connections',
  'database',
  'database-memory-off',
];

/** The big-database scenario that repeats a throughput run after filling its database. */
const DATABASE_SCENARIO: Partial<Record<Scenario, Scenario>> = {
  throughput: 'database',
  'memory-off': 'database-memory-off',
};

/** One throughput run: a memory setting (config lines) and how many tasks. */
interface ThroughputRun {
  scenario: Scenario;
  label: string;
  config: string[];
  tasks: number;
}

/** Runs the benchmark and prints its tables. */
export async function run(args: string[]): Promise<void> {
  const tasks = intOption(args, 'tasks', 1000);
  const memoryTasks = intOption(args, 'memory-tasks', tasks);
  const agents = intOption(args, 'agents', 3);
  const delayMs = intOption(args, 'delay-ms', 200);
  const connections = intOption(args, 'connections', 5000);
  const dbTasks = intOption(args, 'db-tasks', 100_000);
  const warmup = intOption(args, 'warmup', 20);
  const profileDir = option(args, 'profile');
  const only = parseOnly(option(args, 'only'));
  const machine = describeMachine();
  const loadBefore = loadavg();

  process.stdout.write(`agentd load benchmark — ${machineLine(machine)}\n\n`);
  const built = ensureBundle();
  if (built && 'error' in built) throw new Error(built.error);

  const fake = await startFake(delayMs);
  // What every throughput run shares.
  const common = { agents, warmup, fakePid: fake.pid, ...(profileDir ? { profileDir } : {}) };
  const runs: ThroughputRun[] = [
    { scenario: 'throughput', label: 'embeddings none', config: ['memory:', '  embeddings: none'], tasks },
    { scenario: 'memory', label: 'default memory', config: [], tasks: memoryTasks },
    { scenario: 'memory-off', label: 'memory off', config: ['memory:', '  enabled: false'], tasks },
  ];
  const measured: { run: ThroughputRun; empty: Throughput; big?: Throughput; seed?: SeedReport }[] = [];
  let connectionResult: ConnectionResult | undefined;
  try {
    for (const run of runs) {
      const database = DATABASE_SCENARIO[run.scenario];
      const withDatabase = database !== undefined && only.has(database);
      if (!only.has(run.scenario) && !withDatabase) continue;
      process.stdout.write(`• throughput: ${run.tasks} concurrent ${agents}-agent tasks, ${run.label}…\n`);
      const home = makeHome(fake.baseUrl, run.config);
      try {
        const empty = await measureThroughput({ ...common, home, tasks: run.tasks });
        if (!withDatabase) {
          measured.push({ run, empty });
          continue;
        }
        process.stdout.write(`• database: cloning finished tasks to ${dbTasks} in all…\n`);
        const seed = seedTasks({ path: join(home, 'agentd.db'), total: dbTasks });
        process.stdout.write(`• database: the same ${run.tasks} tasks again on the filled database…\n`);
        const big = await measureThroughput({ ...common, home, tasks: run.tasks });
        measured.push({ run, empty, big, seed });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
    if (only.has('connections')) {
      process.stdout.write(`• connections: ${connections} clients connecting at once…\n`);
      const home = makeHome(fake.baseUrl, ['memory:', '  embeddings: none']);
      try {
        connectionResult = await measureConnections({ home, connections, agents });
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    }
  } finally {
    await fake.stop();
  }
  process.stdout.write('\n');

  const met = (ok: boolean) => (ok ? 'yes' : 'NO');
  const rows: string[][] = [];
  const throughputRows = (label: string, t: Throughput, check: boolean) => {
    rows.push(
      [
        `${label}: model calls/s`,
        formatRate(t.callsPerSecond, 'calls'),
        check ? `≥ ${TARGETS.callsPerSecond}/s` : '—',
        check ? met(t.callsPerSecond >= TARGETS.callsPerSecond) : '—',
      ],
      [
        `${label}: task latency p50 / p95`,
        `${formatMs(t.latency.p50)} / ${formatMs(t.latency.p95)}`,
        check ? `p95 ≤ ${TARGETS.p95Ms} ms` : '—',
        check ? met(t.latency.p95 <= TARGETS.p95Ms) : '—',
      ],
      [
        `${label}: peak RSS of the server (VmHWM)`,
        formatMegabytes(t.peakRssBytes),
        check ? `≤ ${formatMegabytes(TARGETS.peakRssBytes)}` : '—',
        check ? met(t.peakRssBytes <= TARGETS.peakRssBytes) : '—',
      ],
      [`${label}: server CPU per model call`, formatMs(t.serverCpuMsPerCall), '—', '—'],
      [
        `${label}: succeeded`,
        `${t.succeeded}/${t.tasks}${t.retried > 0 ? ` (${t.retried} retries after 503)` : ''}`,
        'all',
        met(t.succeeded === t.tasks),
      ],
    );
  };
  for (const { run, empty } of measured)
    throughputRows(`${run.tasks} tasks, ${run.label}`, empty, run.scenario === 'throughput');
  if (connectionResult) {
    const c = connectionResult;
    rows.push([
      `${connections} connections at once: answered 200 / 503 + Retry-After`,
      `${c.ok} / ${c.busy}`,
      'all answered',
      met(c.ok + c.busy === connections),
    ]);
    rows.push([
      `${connections} connections: other statuses / connection errors`,
      `${c.otherStatus} / ${c.errors}${c.errorCodes.size > 0 ? ` (${[...c.errorCodes].map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
      '0 / 0',
      met(c.otherStatus === 0 && c.errors === 0),
    ]);
    rows.push([`${connections} connections: all answered after`, formatMs(c.wallMs), '—', '—']);
  }
  for (const { run, empty, big, seed } of measured) {
    if (!big || !seed) continue;
    const label = `${run.label}, ${seed.totalTasks} tasks in the database`;
    const ratio = big.callsPerSecond / empty.callsPerSecond;
    rows.push(
      [
        `${label}: model calls/s (vs empty)`,
        `${formatRate(big.callsPerSecond, 'calls')} (${(ratio * 100).toFixed(0)}%)`,
        `≥ ${TARGETS.bigDatabaseRatio * 100}% of empty`,
        met(ratio >= TARGETS.bigDatabaseRatio),
      ],
      [
        `${label}: task latency p50 / p95`,
        `${formatMs(big.latency.p50)} / ${formatMs(big.latency.p95)}`,
        '—',
        '—',
      ],
      [
        // CPU time per call does not depend on what else the machine runs, unlike calls/s.
        `${label}: server CPU per model call (vs empty)`,
        `${formatMs(big.serverCpuMsPerCall)} (${((100 * big.serverCpuMsPerCall) / empty.serverCpuMsPerCall).toFixed(0)}%)`,
        `≤ ${Math.round(100 / TARGETS.bigDatabaseRatio)}% of empty`,
        met(big.serverCpuMsPerCall <= empty.serverCpuMsPerCall / TARGETS.bigDatabaseRatio),
      ],
      [`${label}: succeeded`, `${big.succeeded}/${big.tasks}`, 'all', met(big.succeeded === big.tasks)],
    );
  }
  printTable(['metric', 'value', 'target', 'met?'], rows);

  const loadAfter = loadavg();
  const notes = [
    `Machine: ${machineLine(machine)}. Load average (1 min) ${loadBefore[0]?.toFixed(2)} at start, ` +
      `${loadAfter[0]?.toFixed(2)} at end: other processes on the machine compete for its cores.`,
    `Server: \`node bin/agentd.js serve\` with a fresh AGENTD_HOME whose config.yaml names one provider, ` +
      `the fake OpenAI-compatible server (src/testing/fake-openai-server.ts) in its own process, answering every ` +
      `chat completion after ${delayMs} ms (streamed, fixed usage). Open files limit (soft) of the benchmark ` +
      `${openFilesLimit('self')}, of the server ${measured[0]?.empty.openFiles ?? connectionResult?.openFiles ?? 'n/a'}; ` +
      `net.core.somaxconn ${readSysctl('net/core/somaxconn')} (caps any listen backlog).`,
    `Tasks: ${agents}-agent sequential team (handoff last, no tools), submitted at once with ` +
      'POST /v1/tasks?wait=true over keep-alive connections (one per task); latency = first attempt → 200 with the ' +
      'result (a 503 is retried after its Retry-After, and the wait counts). Calls/s = model calls of the measured ' +
      `tasks ÷ wall time from the first submit to the last result. ${warmup} warm-up tasks run first, not counted.`,
    'Server CPU per model call = user + system CPU time of the server process during the measured run ' +
      '(/proc/<pid>/stat) ÷ model calls; peak RSS = VmHWM of the server process when the run ends.',
  ];
  for (const { run, empty } of measured)
    notes.push(
      `Fake model process CPU during the ${run.label} run: ${formatMs(empty.fakeCpuMsPerCall)} per call.`,
    );
  if (connectionResult)
    notes.push(
      `Connections: ${connections} clients each open their own connection at the same moment and send ` +
        'POST /v1/tasks?wait=true; counted by answer. A connection error is a client that could not connect or ' +
        'was reset. Admission control (executor.maxRunningTasks / maxQueuedTasks, defaults) decides 200 or 503.',
    );
  for (const { run, seed } of measured) {
    if (!seed) continue;
    notes.push(
      `Database (${run.label}): after the empty-database run, its ${seed.templates} finished tasks were cloned in SQL ` +
        `(one INSERT … SELECT per table and template over a recursive counter, ids suffixed) to ${seed.totalTasks} tasks ` +
        `with their events, steps, spans, ledger rows and memories (${Object.entries(seed.rows)
          .map(([table, n]) => `${table} ${n}`)
          .join(', ')}) in ${formatMs(seed.ms)}; then the server was started again on it.`,
    );
  }
  process.stdout.write(`${notes.map((n) => `- ${n}`).join('\n')}\n`);
}

function parseOnly(raw: string | undefined): Set<Scenario> {
  if (raw === undefined) return new Set(SCENARIOS);
  const names = raw.split(',').map((s) => s.trim());
  for (const name of names) {
    if (!SCENARIOS.includes(name as Scenario))
      throw new Error(`--only: '${name}' is not one of ${SCENARIOS.join(', ')}`);
  }
  return new Set(names as Scenario[]);
}

interface FakeProcess {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts bench/fake-openai-process.ts and waits for its base URL. */
async function startFake(delayMs: number): Promise<FakeProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'fake-openai-process.ts'), '--delay-ms', String(delayMs)],
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
    pid: child.pid as number,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A fresh AGENTD_HOME whose config uses the fake server, plus `extra` lines of YAML. */
function makeHome(baseUrl: string, extra: string[]): string {
  const home = mkdtempSync(join(tmpdir(), 'agentd-bench-load-'));
  const lines = [
    'providers:',
    '  fake:',
    '    type: openai-compatible',
    `    baseUrl: ${baseUrl}`,
    'models:',
    '  default: fake/fake-model',
    '  catalog:',
    '    - id: fake/fake-model',
    '      inputPerMTok: 0.5',
    '      outputPerMTok: 1.5',
  ];
  writeFileSync(join(home, 'config.yaml'), `${[...lines, ...extra].join('\n')}\n`);
  return home;
}

interface Throughput {
  tasks: number;
  succeeded: number;
  retried: number;
  calls: number;
  callsPerSecond: number;
  latency: { p50: number; p95: number };
  peakRssBytes: number;
  /** The server process's soft limit of open files. */
  openFiles: string;
  serverCpuMsPerCall: number;
  fakeCpuMsPerCall: number;
}

/** Starts a server on `home`, runs the warm-up, then `tasks` concurrent tasks; stops the server. */
async function measureThroughput(options: {
  home: string;
  tasks: number;
  agents: number;
  warmup: number;
  /** The fake model's process, whose CPU time is measured too. */
  fakePid: number;
  profileDir?: string;
}): Promise<Throughput> {
  const serve = await startServe({
    env: cleanEnv({ AGENTD_HOME: options.home }),
    cwd: options.home,
    ...(options.profileDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', options.profileDir] } : {}),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  try {
    const body = (i: number) => taskBody(`Load task ${i}: summarise the previous step.`, options.agents);
    await Promise.all(Array.from({ length: options.warmup }, (_, i) => submit(serve, agent, body(-i - 1))));
    const cpuBefore = cpuTimeMs(serve.pid);
    const fakeBefore = cpuTimeMs(options.fakePid);
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from({ length: options.tasks }, (_, i) => submit(serve, agent, body(i))),
    );
    const wallMs = performance.now() - started;
    const cpuMs = cpuTimeMs(serve.pid) - cpuBefore;
    const fakeMs = cpuTimeMs(options.fakePid) - fakeBefore;
    const calls = outcomes.reduce((n, o) => n + o.modelCalls, 0);
    const latencies = outcomes.map((o) => o.ms);
    const failed = outcomes.find((o) => o.status !== 'succeeded');
    if (failed) process.stdout.write(`  a task did not succeed: ${failed.status} ${failed.detail}\n`);
    return {
      tasks: options.tasks,
      succeeded: outcomes.filter((o) => o.status === 'succeeded').length,
      retried: outcomes.reduce((n, o) => n + o.retries, 0),
      calls,
      callsPerSecond: calls / (wallMs / 1000),
      latency: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
      peakRssBytes: procStatusBytes(serve.pid, 'VmHWM'),
      openFiles: openFilesLimit(serve.pid),
      serverCpuMsPerCall: cpuMs / calls,
      fakeCpuMsPerCall: fakeMs / calls,
    };
  } finally {
    agent.destroy();
    // A profiled server writes its profile on exit, which takes a while for a long run.
    await serve.stop(options.profileDir ? 60_000 : 5000);
  }
}

function taskBody(prompt: string, agents: number): string {
  return JSON.stringify({
    prompt,
    team: {
      name: 'load',
      topology: 'sequential',
      options: { handoff: 'last' },
      agents: Array.from({ length: agents }, (_, i) => ({
        name: `agent-${i + 1}`,
        role: `Step ${i + 1} of the load pipeline`,
        tools: [],
      })),
    },
  });
}

interface Outcome {
  status: string;
  detail: string;
  modelCalls: number;
  ms: number;
  retries: number;
}

/** Submits a task and waits for it, retrying after a 503's Retry-After; latency from the first attempt. */
async function submit(serve: ServeProcess, agent: Agent, body: string): Promise<Outcome> {
  const started = performance.now();
  for (let retries = 0; ; retries++) {
    const answer = await post(serve.port, agent, body);
    if ('error' in answer)
      return {
        status: 'error',
        detail: answer.error,
        modelCalls: 0,
        ms: performance.now() - started,
        retries,
      };
    if (answer.status === 503) {
      await sleep(Number(answer.retryAfter ?? '1') * 1000);
      continue;
    }
    const ms = performance.now() - started;
    if (answer.status !== 200)
      return { status: `HTTP ${answer.status}`, detail: answer.body, modelCalls: 0, ms, retries };
    const result = JSON.parse(answer.body) as { status: string; modelCalls: number; error?: unknown };
    return {
      status: result.status,
      detail: JSON.stringify(result.error ?? ''),
      modelCalls: result.modelCalls,
      ms,
      retries,
    };
  }
}

type Answer = { status: number; retryAfter: string | undefined; body: string } | { error: string };

function post(port: number, agent: Agent | false, body: string): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/tasks?wait=true',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: text }),
        );
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    req.end(body);
  });
}

interface ConnectionResult {
  openFiles: string;
  ok: number;
  busy: number;
  otherStatus: number;
  errors: number;
  errorCodes: Map<string, number>;
  wallMs: number;
}

/** `connections` clients, each on its own new connection, submit a task and wait, all at once. */
async function measureConnections(options: {
  home: string;
  connections: number;
  agents: number;
}): Promise<ConnectionResult> {
  const serve = await startServe({ env: cleanEnv({ AGENTD_HOME: options.home }), cwd: options.home });
  try {
    const body = taskBody('Connection test: summarise the previous step.', options.agents);
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: options.connections }, () => post(serve.port, false, body)),
    );
    const wallMs = performance.now() - started;
    const result: ConnectionResult = {
      openFiles: openFilesLimit(serve.pid),
      ok: 0,
      busy: 0,
      otherStatus: 0,
      errors: 0,
      errorCodes: new Map(),
      wallMs,
    };
    for (const answer of answers) {
      if ('error' in answer) {
        result.errors++;
        result.errorCodes.set(answer.error, (result.errorCodes.get(answer.error) ?? 0) + 1);
      } else if (answer.status === 200) result.ok++;
      else if (answer.status === 503 && answer.retryAfter !== undefined) result.busy++;
      else {
        result.otherStatus++;
        const key = `HTTP ${answer.status}`;
        result.errorCodes.set(key, (result.errorCodes.get(key) ?? 0) + 1);
      }
    }
    return result;
  } finally {
    await serve.stop();
  }
}

/** The soft open-files limit of a process (`self` or a pid), from /proc/<pid>/limits. */
function openFilesLimit(pid: number | 'self'): string {
  const match = /^Max open files\s+(\S+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
  return match?.[1] ?? 'unknown';
}

function readSysctl(name: string): string {
  try {
    return readFileSync(`/proc/sys/${name}`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
