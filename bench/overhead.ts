// Orchestration overhead of agentd itself, with the model taken out of the picture: a 10-agent
// sequential team on a zero-latency fake model, the raw journal engine, and the cold start and idle
// memory of `agentd serve`. Run with `npm run bench -- overhead`; options: --tasks, --agents, --warmup,
// --journal-steps, --sdk-calls, --serve-runs (counts) and --skip-serve. `--check` compares a few
// figures with bench/baselines/overhead.json and fails when one got worse (see regression-guard.ts and
// overheadGuard below); `--update-baseline` rewrites that file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { streamText } from 'ai';
import { systemClock } from '../src/core/clock.js';
import { createJournalEngine } from '../src/executor/index.js';
import { openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import { createFakeLanguageModel, createFakeProvider } from '../src/testing/fake-language-model.js';
import { createTestRuntime } from '../src/testing/test-runtime.js';
import type { TaskInput } from '../src/runtime/index.js';
import {
  describeMachine,
  flag,
  formatMegabytes,
  formatMs,
  formatRate,
  intOption,
  machineLine,
  median,
  percentile,
  printTable,
  sum,
  countSteps,
  timed,
} from './bench-kit.js';
import type { ModelTiming } from './bench-kit.js';
import { runRegressionGuard } from './regression-guard.js';
import type { GuardedFigure } from './regression-guard.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const TARGETS = {
  overheadPerCallP50Ms: 0.5,
  coldStartMs: 300,
  idleRssBytes: 80 * 1024 * 1024,
};

/** The fixed answer of the zero-latency model (a few words, so the stream has a few text deltas). */
const ANSWER = 'Done: this step is complete.';

/** Runs the benchmark and prints its table. */
export async function run(args: string[]): Promise<void> {
  if (flag(args, 'check') || flag(args, 'update-baseline')) {
    await runRegressionGuard({ benchmark: 'overhead', args, figures: overheadGuard(args) });
    return;
  }
  const tasks = intOption(args, 'tasks', 200);
  const agents = intOption(args, 'agents', 10);
  const warmup = intOption(args, 'warmup', 10);
  const journalSteps = intOption(args, 'journal-steps', 5000);
  const serveRuns = intOption(args, 'serve-runs', 5);
  const sdkCalls = intOption(args, 'sdk-calls', 1000);
  const machine = describeMachine();
  const loadBefore = loadavg();

  process.stdout.write(`agentd overhead benchmark — ${machineLine(machine)}\n\n`);

  process.stdout.write(
    `• ${tasks} tasks of a ${agents}-agent sequential team (after ${warmup} warm-up tasks)…\n`,
  );
  const team = await measureTeamTasks({ tasks, agents, warmup });
  process.stdout.write(`• journal engine: ${journalSteps} trivial steps…\n`);
  const journal = await measureJournalEngine(journalSteps);
  process.stdout.write(`• AI SDK streamText alone: ${sdkCalls} calls on the same fake model…\n`);
  const sdk = await measureStreamTextAlone(sdkCalls);
  let serve: ServeMeasurement | { skipped: string };
  if (flag(args, 'skip-serve')) {
    serve = { skipped: '--skip-serve' };
  } else {
    process.stdout.write(`• cold start of \`agentd serve\` (${serveRuns} runs)…\n`);
    serve = await measureServe(serveRuns);
  }
  process.stdout.write('\n');

  const met = (ok: boolean) => (ok ? 'yes' : 'NO');
  const rows: string[][] = [
    [
      'overhead per model call, p50',
      formatMs(team.perCall.p50),
      `≤ ${TARGETS.overheadPerCallP50Ms} ms`,
      met(team.perCall.p50 <= TARGETS.overheadPerCallP50Ms),
    ],
    ['overhead per model call, p95', formatMs(team.perCall.p95), '—', '—'],
    ['gap between consecutive model calls, p50', formatMs(team.gap.p50), '—', '—'],
    ['gap between consecutive model calls, p95', formatMs(team.gap.p95), '—', '—'],
    [`overhead per task (${agents} calls), p50`, formatMs(team.perTask.p50), '—', '—'],
    [`overhead per task (${agents} calls), p95`, formatMs(team.perTask.p95), '—', '—'],
    ['time inside the fake model per call, mean', formatMs(team.modelMsPerCall), '—', '—'],
    [
      'for comparison: AI SDK streamText alone, per call, p50 (not used by the agent loop)',
      formatMs(sdk.p50),
      '—',
      '—',
    ],
    [`journal steps/s (runtime, ${tasks}-task run)`, formatRate(team.stepsPerSecond, 'steps'), '—', '—'],
    [
      `journal engine alone (${journalSteps} trivial steps)`,
      `${formatRate(journal.stepsPerSecond, 'steps')} (${(journal.msPerStep * 1000).toFixed(1)} µs/step)`,
      '—',
      '—',
    ],
  ];
  if ('skipped' in serve) {
    rows.push([
      'cold start `agentd serve` → 200 /v1/health',
      `skipped (${serve.skipped})`,
      `≤ ${TARGETS.coldStartMs} ms`,
      '—',
    ]);
    rows.push([
      'idle RSS of `agentd serve`',
      `skipped (${serve.skipped})`,
      `≤ ${formatMegabytes(TARGETS.idleRssBytes)}`,
      '—',
    ]);
  } else {
    rows.push([
      `cold start \`agentd serve\` → 200 /v1/health, median of ${serve.coldStartMs.length}`,
      formatMs(median(serve.coldStartMs)),
      `≤ ${TARGETS.coldStartMs} ms`,
      met(median(serve.coldStartMs) <= TARGETS.coldStartMs),
    ]);
    rows.push([
      'idle RSS of `agentd serve` (1 s after first 200), median',
      formatMegabytes(median(serve.idleRssBytes)),
      `≤ ${formatMegabytes(TARGETS.idleRssBytes)}`,
      met(median(serve.idleRssBytes) <= TARGETS.idleRssBytes),
    ]);
  }
  printTable(['metric', 'value', 'target', 'met?'], rows);

  const loadAfter = loadavg();
  const notes = [
    `Machine: ${machineLine(machine)}. Load average (1 min) ${loadBefore[0]?.toFixed(2)} at start, ` +
      `${loadAfter[0]?.toFixed(2)} at end: other processes on the machine compete for its cores.`,
    `Tasks: ${tasks} (+${warmup} warm-up, not counted), run one at a time with runtime.tasks.run() on a temp SQLite file (WAL); ` +
      `team = ${agents} agents, sequential, handoff 'last', no tools → ${team.callsPerTask} model calls and ` +
      `${team.stepsPerTask} journaled steps per task (counted in the database).`,
    `Model: the scripted fake LanguageModelV3 answering "${ANSWER}" with fixed usage at once; its doStream builds ` +
      'the whole stream synchronously (every part enqueued in start()), so all of its work happens inside doStream.',
    'Overhead = task wall time (submit → result) − time inside doStream (performance.now() before and after), ' +
      `per task; per model call = that ÷ ${team.callsPerTask}. It includes everything agentd does around a call: ` +
      'validation, task/event/journal/ledger/span writes to SQLite, the provider-level doStream call and reading the stream.',
    'For comparison, AI SDK streamText alone: streamText() on the same fake model, reading fullStream and awaiting ' +
      'response, minus time inside doStream. The agent loop calls doStream directly instead, because this pipeline ' +
      'alone cost more than the whole per-call target (see docs/decisions/0006).',
    'Gap = end of one doStream to the start of the next within a task (excludes task start and finish).',
    `Journal steps/s = journaled steps of the measured tasks (${team.steps}) ÷ their total wall time ` +
      `(${formatMs(team.totalWallMs)}). The engine-alone figure runs createJournalEngine on a SqliteJournalStore ` +
      'with steps returning a small object: its own ceiling.',
  ];
  if ('skipped' in serve) {
    notes.push(`Serve: skipped (${serve.skipped}).`);
  } else {
    notes.push(
      `Cold start: spawn \`node bin/agentd.js serve --port <free port>\` (fresh temp AGENTD_HOME and cwd, so the ` +
        'database is created and migrated; env without *_API_KEY, AGENTD_* and NODE_OPTIONS) → first 200 from ' +
        `GET /v1/health polled every 5 ms. Runs: ${serve.coldStartMs.map((ms) => formatMs(ms)).join(', ')}. ` +
        'With no provider configured, serve probes 127.0.0.1:11434 for Ollama at startup; here nothing listens ' +
        'there, so the probe fails fast (connection refused) — a filtered port would add up to its 300 ms timeout.',
      `Idle RSS: VmRSS from /proc/<pid>/status 1 s after the first 200. Runs: ${serve.idleRssBytes
        .map((b) => formatMegabytes(b))
        .join(', ')}.`,
    );
    if (serve.built) notes.push(`dist/cli.js was ${serve.built}: ran \`node scripts/build.mjs\` first.`);
  }
  process.stdout.write(`${notes.map((n) => `- ${n}`).join('\n')}\n`);
}

interface Distribution {
  p50: number;
  p95: number;
}

interface TeamMeasurement {
  perCall: Distribution;
  perTask: Distribution;
  gap: Distribution;
  modelMsPerCall: number;
  callsPerTask: number;
  stepsPerTask: number;
  steps: number;
  totalWallMs: number;
  stepsPerSecond: number;
}

async function measureTeamTasks(options: {
  tasks: number;
  agents: number;
  warmup: number;
  /** The runtime's config; default: the default memory settings (see below). */
  config?: Record<string, unknown>;
}): Promise<TeamMeasurement> {
  const timing: ModelTiming = { spans: [] };
  const fake = createFakeLanguageModel({
    script: [{ text: ANSWER, usage: { inputTokens: 50, outputTokens: 8 } }],
  });
  const model = timed(fake, timing);
  const test = await createTestRuntime({
    // The default memory settings (test runtimes are text-only unless told otherwise): headline
    // figures measure the default configuration.
    config: options.config ?? { memory: { embeddings: 'use-lite' } },
    runtime: { providers: [createFakeProvider({ models: { scripted: model } })] },
  });
  const team: TaskInput['team'] = {
    name: 'bench',
    topology: 'sequential',
    options: { handoff: 'last' },
    agents: Array.from({ length: options.agents }, (_, i) => ({
      name: `agent-${i + 1}`,
      role: `Step ${i + 1} of the benchmark pipeline`,
      tools: [],
    })),
  };
  const input = (i: number): TaskInput => ({
    prompt: `Benchmark task ${i}: refine the previous output.`,
    team,
  });

  try {
    for (let i = 0; i < options.warmup; i++) {
      const result = await test.runtime.tasks.run(input(-i - 1));
      if (result.status !== 'succeeded')
        throw new Error(`warm-up task ${result.id} ${result.status}: ${result.error?.message}`);
    }

    const perTask: number[] = [];
    const perCall: number[] = [];
    const gaps: number[] = [];
    const wall: number[] = [];
    const modelMs: number[] = [];
    const ids: string[] = [];
    let calls = 0;
    for (let i = 0; i < options.tasks; i++) {
      timing.spans.length = 0;
      // The fake keeps every call (prompt included) for tests; drop them so memory stays flat.
      fake.calls.length = 0;
      const started = performance.now();
      const result = await test.runtime.tasks.run(input(i));
      const taskWall = performance.now() - started;
      if (result.status !== 'succeeded')
        throw new Error(`task ${result.id} ${result.status}: ${result.error?.message}`);
      const inside = sum(timing.spans.map((s) => s.end - s.start));
      const overhead = taskWall - inside;
      ids.push(result.id);
      wall.push(taskWall);
      modelMs.push(inside);
      perTask.push(overhead);
      perCall.push(overhead / timing.spans.length);
      calls += timing.spans.length;
      for (let k = 1; k < timing.spans.length; k++) {
        gaps.push(
          (timing.spans[k] as { start: number }).start - (timing.spans[k - 1] as { end: number }).end,
        );
      }
    }

    const steps = countSteps(join(test.home, 'agentd.db'), ids);
    const totalWallMs = sum(wall);
    return {
      perCall: { p50: percentile(perCall, 50), p95: percentile(perCall, 95) },
      perTask: { p50: percentile(perTask, 50), p95: percentile(perTask, 95) },
      gap: { p50: percentile(gaps, 50), p95: percentile(gaps, 95) },
      modelMsPerCall: sum(modelMs) / calls,
      callsPerTask: calls / options.tasks,
      stepsPerTask: steps / options.tasks,
      steps,
      totalWallMs,
      stepsPerSecond: steps / (totalWallMs / 1000),
    };
  } finally {
    await test.dispose();
  }
}

/**
 * The figures `--check` guards, each measured on a fresh runtime: fewer tasks than the full run
 * (`--tasks`, default 30), so that three repetitions of all of them take about a minute. Cold start and
 * idle RSS are left out: spawning a process is too noisy on a shared machine to fail a build on.
 */
function overheadGuard(args: readonly string[]): GuardedFigure[] {
  const tasks = intOption(args, 'tasks', 30);
  const warmup = intOption(args, 'warmup', 5);
  const perCall = async (config: Parameters<typeof measureTeamTasks>[0]['config']) =>
    (await measureTeamTasks({ tasks, agents: 10, warmup, config })).perCall.p50;
  return [
    {
      key: 'perCallDefault',
      label: 'overhead per model call, p50, default config',
      unit: 'ms',
      better: 'lower',
      measure: () => perCall(undefined),
    },
    {
      key: 'perCallMemoryOff',
      label: 'overhead per model call, p50, memory off',
      unit: 'ms',
      better: 'lower',
      measure: () => perCall({ memory: { enabled: false } }),
    },
    {
      key: 'journalEngine',
      label: 'journal engine alone, 5000 trivial steps',
      unit: 'steps/s',
      better: 'higher',
      measure: async () => (await measureJournalEngine(5000)).stepsPerSecond,
    },
  ];
}

async function measureJournalEngine(steps: number): Promise<{ stepsPerSecond: number; msPerStep: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'agentd-bench-journal-'));
  const stores = openSqliteStores({ path: join(dir, 'agentd.db') });
  try {
    const engine = createJournalEngine({
      journal: stores.journal,
      reviews: stores.reviews,
      clock: systemClock,
    });
    const signal = new AbortController().signal;
    const workflow = (count: number) => async (ctx: Parameters<Parameters<typeof engine.run>[1]>[0]) => {
      for (let i = 0; i < count; i++) await ctx.step(`step-${i}`, async ({ key }) => ({ key, ok: true }));
    };
    await engine.run({ taskId: 'warmup', signal }, workflow(Math.min(500, steps)));
    const started = performance.now();
    await engine.run({ taskId: 'measured', signal }, workflow(steps));
    const elapsed = performance.now() - started;
    return { stepsPerSecond: steps / (elapsed / 1000), msPerStep: elapsed / steps };
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** streamText on the fake model (what the agent loop used to call), with the model's own time subtracted. */
async function measureStreamTextAlone(calls: number): Promise<Distribution> {
  const timing: ModelTiming = { spans: [] };
  const fake = createFakeLanguageModel({
    script: [{ text: ANSWER, usage: { inputTokens: 50, outputTokens: 8 } }],
  });
  const model = timed(fake, timing);
  const once = async (): Promise<number> => {
    timing.spans.length = 0;
    fake.calls.length = 0;
    const started = performance.now();
    const result = streamText({
      model,
      system: 'You are step 1 of the benchmark pipeline.',
      messages: [{ role: 'user', content: 'Benchmark task: refine the previous output.' }],
      maxRetries: 0,
      onError: () => {},
    });
    let text = '';
    for await (const part of result.fullStream) if (part.type === 'text-delta') text += part.text;
    await result.response;
    if (text !== ANSWER) throw new Error(`streamText returned '${text}'`);
    return performance.now() - started - sum(timing.spans.map((s) => s.end - s.start));
  };
  for (let i = 0; i < 100; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) samples.push(await once());
  return { p50: percentile(samples, 50), p95: percentile(samples, 95) };
}

interface ServeMeasurement {
  coldStartMs: number[];
  idleRssBytes: number[];
  /** Why the bundle was rebuilt ('missing' or 'older than src/'), if it was. */
  built?: string;
}

async function measureServe(runs: number): Promise<ServeMeasurement | { skipped: string }> {
  const built = ensureBundle();
  if (built && 'error' in built) return { skipped: built.error };
  const coldStartMs: number[] = [];
  const idleRssBytes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const one = await coldStartOnce();
    coldStartMs.push(one.coldStartMs);
    idleRssBytes.push(one.idleRssBytes);
  }
  return { coldStartMs, idleRssBytes, ...(built ? { built: built.reason } : {}) };
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

async function coldStartOnce(): Promise<{ coldStartMs: number; idleRssBytes: number }> {
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
      if ((await healthStatus(port)) === 200) break;
      await sleep(5);
    }
    const coldStartMs = performance.now() - started;
    await sleep(1000);
    const idleRssBytes = readRss(child.pid as number);
    return { coldStartMs, idleRssBytes };
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

/** The status of GET /v1/health, or 0 when the connection fails (not listening yet). */
function healthStatus(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/health', method: 'GET', agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
    req.end();
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
