// The `agentd serve` part of the overhead benchmark: a real process started from the bundle, its
// cold start to the first 200 of /v1/health, its idle memory, and what the first tasks it runs cost
// more than later ones (modules, workers and models that load on first use).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatMegabytes, formatMs, median } from './bench-kit.js';
import { cleanEnv, ensureBundle, readRss, sleep, startServe } from './serve-kit.js';

/** Warm tasks run after each first task; their median is what a first task is compared with. */
const WARM_TASKS = 5;

/** A first task against the warm ones after it: wall time of `POST /v1/tasks?wait=true`. */
export interface FirstTask {
  firstMs: number;
  warmMedianMs: number;
}

/** One `agentd serve` process: its start, its idle memory, and its first tasks. */
export interface ServeProcess {
  coldStartMs: number;
  /** VmRSS 1 s after the first 200. */
  idleRssBytes: number;
  /** VmRSS once the tasks are done. */
  afterTasksRssBytes: number;
}

/** The three processes of one run (see measureServe). */
export interface ServeRun {
  /** Fresh home, default config: a first task in a tenant of its own, then one with a budget. */
  fresh: ServeProcess & { plain: FirstTask; budgeted: FirstTask };
  /** Fresh home, `memory.embeddings: none`: what a first task costs besides the embedding model. */
  textOnly: ServeProcess & { plain: FirstTask };
  /** The first process's home again, its default tenant holding a memory: the first recall. */
  withMemories: ServeProcess & { recall: FirstTask };
}

/** The serve part's figures, or why it did not run. */
export interface ServeMeasurement {
  runs: ServeRun[];
  /** Why the bundle was rebuilt ('missing' or 'older than src/'), if it was. */
  built?: string;
}

/** A benchmark task on the simulated model (no keys); `tenant` undefined: the default tenant. */
function taskBody(options: { tenant?: string; budgeted?: boolean }): Record<string, unknown> {
  return {
    prompt: 'Write a haiku about tides',
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.budgeted ? { budget: { usd: 1 } } : {}),
  };
}

/**
 * Starts `agentd serve` from the bundle (rebuilt first if stale), three processes per run: a fresh
 * home; a fresh home with text-only memory; the first home again once its default tenant holds a
 * memory (so the server warms the embedding model at start and the first task recalls with it).
 */
export async function measureServe(runs: number): Promise<ServeMeasurement | { skipped: string }> {
  const built = ensureBundle();
  if (built && 'error' in built) return { skipped: built.error };
  const measured: ServeRun[] = [];
  for (let i = 0; i < runs; i++) {
    const home = mkdtempSync(join(tmpdir(), 'agentd-bench-home-'));
    try {
      const fresh = await withServe({ home }, async (server) => {
        const plain = await firstThenWarm((k) => server.task(taskBody({ tenant: `own-${k}` })));
        const budgeted = await firstThenWarm((k) =>
          server.task(taskBody({ tenant: `budget-${k}`, budgeted: true })),
        );
        // Leaves a memory in the default tenant for the third process (a dry run writes none).
        await server.remember('Spring tides come with the new and the full moon.');
        return { plain, budgeted };
      });
      const textOnly = await withServe({ config: 'memory:\n  embeddings: none\n' }, async (server) => ({
        plain: await firstThenWarm((k) => server.task(taskBody({ tenant: `own-${k}` }))),
      }));
      const withMemories = await withServe({ home }, async (server) => ({
        recall: await firstThenWarm(() => server.task(taskBody({}))),
      }));
      measured.push({ fresh, textOnly, withMemories });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }
  return { runs: measured, ...(built ? { built: built.reason } : {}) };
}

/** Runs `task(k)` once, then WARM_TASKS times more, and compares the first with the others' median. */
async function firstThenWarm(task: (k: number) => Promise<number>): Promise<FirstTask> {
  const firstMs = await task(0);
  const warm: number[] = [];
  for (let k = 1; k <= WARM_TASKS; k++) warm.push(await task(k));
  return { firstMs, warmMedianMs: median(warm) };
}

/** A running server of the benchmark: a way to time one task, and to add a memory. */
interface BenchServer {
  task(body: Record<string, unknown>): Promise<number>;
  remember(content: string): Promise<void>;
}

/**
 * Starts `node bin/agentd.js serve` (a fresh temp home unless given; `config` becomes ./agentd.yaml),
 * measures its cold start and idle memory, runs `work`, and stops it.
 */
async function withServe<T>(
  options: { home?: string; config?: string },
  work: (server: BenchServer) => Promise<T>,
): Promise<ServeProcess & T> {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'agentd-bench-home-'));
  const cwd = mkdtempSync(join(tmpdir(), 'agentd-bench-cwd-'));
  if (options.config) writeFileSync(join(cwd, 'agentd.yaml'), options.config);
  try {
    const serve = await startServe({ env: cleanEnv({ AGENTD_HOME: home }), cwd });
    try {
      await sleep(1000);
      const idleRssBytes = readRss(serve.pid);
      const result = await work({
        async task(body) {
          const taskStarted = performance.now();
          const answer = await call(serve.port, 'POST', '/v1/tasks?wait=true', body);
          const ms = performance.now() - taskStarted;
          const status = (JSON.parse(answer.body || '{}') as { status?: string }).status;
          if (answer.status !== 200 || status !== 'succeeded')
            throw new Error(`task: HTTP ${answer.status}, ${answer.body.slice(0, 300)}\n${serve.stderr()}`);
          return ms;
        },
        async remember(content) {
          const answer = await call(serve.port, 'POST', '/v1/memory', { content });
          if (answer.status >= 300)
            throw new Error(`memory: HTTP ${answer.status}, ${answer.body.slice(0, 300)}`);
        },
      });
      const afterTasksRssBytes = readRss(serve.pid);
      return { coldStartMs: serve.readyMs, idleRssBytes, afterTasksRssBytes, ...result };
    } finally {
      await serve.stop();
    }
  } finally {
    if (!options.home) rmSync(home, { recursive: true, force: true });
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

/** The rows (metric, value, target, met?) and notes of the serve part, as the overhead table prints them. */
export function serveRowsAndNotes(
  serve: ServeMeasurement | { skipped: string },
  targets: { coldStartMs: number; idleRssBytes: number; firstTaskExtraMs: number },
): { rows: string[][]; notes: string[] } {
  const met = (ok: boolean) => (ok ? 'yes' : 'NO');
  if ('skipped' in serve) {
    return {
      rows: [
        [
          'cold start `agentd serve` → 200 /v1/health',
          `skipped (${serve.skipped})`,
          `≤ ${targets.coldStartMs} ms`,
          '—',
        ],
        [
          'idle RSS of `agentd serve`',
          `skipped (${serve.skipped})`,
          `≤ ${formatMegabytes(targets.idleRssBytes)}`,
          '—',
        ],
      ],
      notes: [`Serve: skipped (${serve.skipped}).`],
    };
  }
  const { runs } = serve;
  const n = runs.length;
  const med = (pick: (run: ServeRun) => number) => median(runs.map(pick));
  const extra = (task: FirstTask) => task.firstMs - task.warmMedianMs;
  const list = (pick: (run: ServeRun) => number, format: (v: number) => string) =>
    runs.map((run) => format(pick(run))).join(', ');
  const coldStart = med((r) => r.fresh.coldStartMs);
  const idleRss = med((r) => r.fresh.idleRssBytes);
  const firstExtra = med((r) => extra(r.fresh.plain));
  const textOnlyExtra = med((r) => extra(r.textOnly.plain));
  const rows = [
    [
      `cold start \`agentd serve\` → 200 /v1/health, median of ${n}`,
      formatMs(coldStart),
      `≤ ${targets.coldStartMs} ms`,
      met(coldStart <= targets.coldStartMs),
    ],
    [
      'idle RSS of `agentd serve` (1 s after first 200), median',
      formatMegabytes(idleRss),
      `≤ ${formatMegabytes(targets.idleRssBytes)}`,
      met(idleRss <= targets.idleRssBytes),
    ],
    [
      'first task after start: extra wall time over a warm task, median',
      formatMs(firstExtra),
      `≤ ${targets.firstTaskExtraMs} ms`,
      met(firstExtra <= targets.firstTaskExtraMs),
    ],
    ['… with `memory.embeddings: none`', formatMs(textOnlyExtra), '—', '—'],
    [
      '… first task with a $1 budget (after the plain ones)',
      formatMs(med((r) => extra(r.fresh.budgeted))),
      '—',
      '—',
    ],
    [
      '… first recall in a tenant with memories (restarted server)',
      formatMs(med((r) => extra(r.withMemories.recall))),
      '—',
      '—',
    ],
    [
      'warm task over HTTP (simulated model, 1 call), wall, median',
      formatMs(med((r) => r.fresh.plain.warmMedianMs)),
      '—',
      '—',
    ],
    ['… with `memory.embeddings: none`', formatMs(med((r) => r.textOnly.plain.warmMedianMs)), '—', '—'],
    [
      'idle RSS, restarted with memories (embedding model warmed), median',
      formatMegabytes(med((r) => r.withMemories.idleRssBytes)),
      '—',
      '—',
    ],
    [
      'RSS after the first process’s 12 tasks, median',
      formatMegabytes(med((r) => r.fresh.afterTasksRssBytes)),
      '—',
      '—',
    ],
  ];
  const notes = [
    `Cold start: spawn \`node bin/agentd.js serve --port <free port>\` (fresh temp AGENTD_HOME and cwd, so the ` +
      'database is created and migrated; env without *_API_KEY, AGENTD_* and NODE_OPTIONS) → first 200 from ' +
      `GET /v1/health polled every 5 ms. Runs: ${list((r) => r.fresh.coldStartMs, formatMs)}. ` +
      'With no provider configured, serve probes 127.0.0.1:11434 for Ollama at startup; here nothing listens ' +
      'there, so the probe fails fast (connection refused) — a filtered port would add up to its 300 ms timeout.',
    `Idle RSS: VmRSS from /proc/<pid>/status 1 s after the first 200. Runs: ${list(
      (r) => r.fresh.idleRssBytes,
      formatMegabytes,
    )}.`,
    'First tasks: then, in the same process, `POST /v1/tasks?wait=true` with "Write a haiku about tides" on the ' +
      'simulated model, each in a tenant of its own (nothing to recall, the same work every time): a first task ' +
      'and 5 warm ones, then a first task with `budget: { usd: 1 }` and 5 warm ones; then it adds a memory to the ' +
      "default tenant (`POST /v1/memory`). Extra = the first task's wall time − the median of the warm ones after it: what loads on first " +
      `use. Runs (first / warm median): ${list((r) => r.fresh.plain.firstMs, formatMs)} / ${list(
        (r) => r.fresh.plain.warmMedianMs,
        formatMs,
      )}. A second process (fresh home, \`memory.embeddings: none\` in ./agentd.yaml) does the plain part: ${list(
        (r) => r.textOnly.plain.firstMs,
        formatMs,
      )} / ${list((r) => r.textOnly.plain.warmMedianMs, formatMs)}. A third restarts on the first home, whose ` +
      'default tenant now holds a memory (serve warms the embedding model once listening), and runs 6 tasks ' +
      `in the default tenant, each recalling: ${list((r) => r.withMemories.recall.firstMs, formatMs)} / ${list(
        (r) => r.withMemories.recall.warmMedianMs,
        formatMs,
      )}; its cold start ${list((r) => r.withMemories.coldStartMs, formatMs)}.`,
  ];
  if (serve.built) notes.push(`dist/cli.js was ${serve.built}: ran \`node scripts/build.mjs\` first.`);
  return { rows, notes };
}
