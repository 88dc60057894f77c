// Provider failure modes, end to end: three OpenAI-compatible fake servers on 127.0.0.1, the real
// runtime routing tasks between them by price, and the cheapest one failing in one way per run:
// 500s, 429s with a short Retry-After, a hang before the first byte, a connection reset, a stream
// that breaks off mid-answer. Each mode runs the same tasks; a run without failures is the baseline.
// Reports per mode: tasks completed, the latency each task added over the baseline's median (p50,
// p95), when the failing model was first routed around (its circuit open, or rate-limited), the
// added p50 of the tasks after that, and the calls the failing server received.
// Options: --tasks 30, --concurrency 1, --modes 500,429,hang,reset,mid-stream.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { FakeReply } from '../src/testing/fake-openai-server.js';
import { createFakeProvidersRuntime } from '../src/testing/fake-providers-runtime.js';
import { formatMs, intOption, machineLine, median, option, percentile, printTable } from './bench-kit.js';

/** What every healthy server answers (streamed word by word). */
const ANSWER = 'the answer to the question is forty two, as computed';

/** How the failing provider answers every request, per mode (a Map: numeric keys keep their order). */
const MODES = new Map<string, FakeReply>([
  ['500', { status: 500, errorMessage: 'outage' }],
  ['429', { status: 429, headers: { 'retry-after': '1' }, errorMessage: 'rate limit reached' }],
  ['hang', { hang: true }],
  ['reset', { reset: true }],
  ['mid-stream', { text: ANSWER, breakAfterChunks: 3 }],
]);

// Timeouts and delays small enough that the whole benchmark takes a few minutes, in the same
// proportions as the defaults: retries back off from 100 ms, a hung call is given up after 1 s
// without a first token (the default is 60 s), and circuits stay open for the whole run.
const CONFIG = {
  agents: { firstTokenTimeoutMs: 1_000, stallTimeoutMs: 1_000, modelTimeoutMs: 10_000 },
  router: {
    retry: { maxRetries: 2, initialDelayMs: 100, maxDelayMs: 500, maxRetryAfterMs: 2_000 },
    breaker: {
      consecutiveFailures: 5,
      errorRate: 0.5,
      window: 20,
      minimumCalls: 10,
      halfOpenAfterMs: 600_000,
    },
  },
};

interface TaskSample {
  ms: number;
  ok: boolean;
  /** The failing model was not the router's first choice: circuit open or rate-limited. */
  routedAround: boolean;
}

interface ModeResult {
  mode: string;
  samples: TaskSample[];
  failingCalls: number;
}

export async function run(args: string[]): Promise<void> {
  const tasks = intOption(args, 'tasks', 30);
  const concurrency = intOption(args, 'concurrency', 1);
  const known = [...MODES.keys()];
  const modes = (option(args, 'modes') ?? known.join(',')).split(',');
  for (const mode of modes) {
    if (!MODES.has(mode)) throw new Error(`--modes: unknown mode '${mode}' (known: ${known.join(', ')})`);
  }
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const started = performance.now();
  // A first run warms the code paths up (JIT, module loading), so the baseline is not the slowest run.
  await runMode('none', Math.min(tasks, 10), concurrency);
  const baseline = await runMode('none', tasks, concurrency);
  const baseMs = median(baseline.samples.map((s) => s.ms));
  const results = [];
  for (const mode of modes) results.push(await runMode(mode, tasks, concurrency));
  const loadAfter = loadavg()[0] ?? Number.NaN;
  const wholeRunS = (performance.now() - started) / 1000;
  const baseP95 = percentile(
    baseline.samples.map((s) => s.ms),
    95,
  );

  process.stdout.write(
    `chaos: ${tasks} tasks per mode, concurrency ${concurrency}, three providers, the cheapest failing\n` +
      `${machineLine()}\n` +
      `1-minute load average ${loadBefore.toFixed(2)} at start, ${loadAfter.toFixed(2)} at end; whole run ${wholeRunS.toFixed(0)} s\n` +
      `baseline (no failure): task latency p50 ${formatMs(baseMs)}, p95 ${formatMs(baseP95)}\n\n`,
  );
  printTable(
    [
      'mode',
      'completed',
      'added p50',
      'added p95',
      'routed around from task',
      'added p50 after that',
      'calls to the failing server',
    ],
    results.map((r) => {
      const added = r.samples.map((s) => s.ms - baseMs);
      const firstAround = r.samples.findIndex((s) => s.routedAround);
      const after = firstAround < 0 ? [] : added.slice(firstAround);
      const ok = r.samples.filter((s) => s.ok).length;
      return [
        r.mode,
        `${ok}/${r.samples.length} (${((100 * ok) / r.samples.length).toFixed(0)}%)`,
        formatMs(median(added)),
        formatMs(percentile(added, 95)),
        firstAround < 0 ? 'never' : `#${firstAround + 1}`,
        after.length === 0 ? 'n/a' : formatMs(median(after)),
        String(r.failingCalls),
      ];
    }),
  );
}

/** Runs `count` tasks on a fresh runtime whose cheapest provider fails in `mode` ('none': it does not). */
async function runMode(mode: string, count: number, concurrency: number): Promise<ModeResult> {
  const answer = (text: string): FakeReply => ({ text });
  const failing = MODES.get(mode);
  const setup = await createFakeProvidersRuntime({
    providers: [
      { name: 'cheap', price: [0.1, 0.4], script: () => failing ?? answer(ANSWER) },
      { name: 'mid', price: [0.5, 2], script: () => answer(ANSWER) },
      { name: 'dear', price: [2, 8], script: () => answer(ANSWER) },
    ],
    config: CONFIG,
  });
  try {
    const { runtime } = setup;
    const samples: TaskSample[] = new Array<TaskSample>(count);
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < count; index = next++) {
        const t0 = performance.now();
        const result = await runtime.tasks.run({ prompt: `task ${index}: answer the question` });
        const ms = performance.now() - t0;
        const decision = (await runtime.tasks.spans(result.id)).find((s) => s.name === 'router.decision');
        samples[index] = {
          ms,
          ok: result.status === 'succeeded',
          routedAround: decision?.attributes['agentd.router.chosen'] !== 'cheap/chat',
        };
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { mode, samples, failingCalls: setup.chatRequests('cheap') };
  } finally {
    await setup.close();
  }
}
