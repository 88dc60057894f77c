// Judge panels in a simulated world: items with a hidden true quality (pass = quality ≥ the threshold) and
// scripted judges whose score is the true quality plus a known bias plus noise. Two worlds share every
// random draw and differ only in the noise: (a) independent per judge, (b) correlated, a shared component
// carrying --shared of each judge's noise variance (a common blind spot, e.g. judges from one model family).
// Each run calibrates on the first 30% of the items (κ per judge → reliability weights) and evaluates on the
// rest. Reports per world each judge's κ against the ground truth, the best single judge, each panel
// strategy, and n_eff; then the cost of the deterministic checks. No model is called in this part.
// Then the quality loop's cost per task in the real runtime (a test runtime on a temp home, memory off),
// with the scripted fake model as agent and judge: judging off, one approving judge, a panel of three
// approving judges, and one judge that rejects round 1 and approves round 2. The fake answers at once, so
// the wall times are agentd's own overhead.
// Options: --items N, --judges N, --runs N, --seed N, --shared 0–1, --threshold 0–1, --loop-tasks N,
// --loop-warmup N.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TaskResult } from '../src/executor/index.js';
import {
  calibrationReport,
  CheckSpecSchema,
  cohensKappa,
  consensus,
  effectiveVotes,
  FEEDBACK_HEADER,
  meetsThreshold,
  runChecks,
} from '../src/judge/index.js';
import type {
  CalibrationRun,
  CheckSpec,
  ConsensusStrategy,
  ConsensusVote,
  QualitySettings,
  Rubric,
} from '../src/judge/index.js';
import { seededRandom } from '../src/router/index.js';
import { createFakeLanguageModel, createFakeProvider } from '../src/testing/fake-language-model.js';
import type { FakeCall, FakeLanguageModel, FakeTurn } from '../src/testing/fake-language-model.js';
import { createTestRuntime } from '../src/testing/test-runtime.js';
import type { TestRuntime } from '../src/testing/test-runtime.js';
import {
  formatMs,
  intOption,
  machineLine,
  median,
  option,
  percentile,
  printTable,
  sum,
  timed,
} from './bench-kit.js';
import type { ModelTiming } from './bench-kit.js';

/** A scripted judge: score = clamp(quality + bias + noiseSd · noise). */
interface ScriptedJudge {
  name: string;
  bias: number;
  noiseSd: number;
}

/** One world's outcome of one run, κ against the ground truth on the evaluation split. */
interface WorldRun {
  judgeKappa: number[];
  panelKappa: Record<ConsensusStrategy, number>;
  scoreCorrelation: number;
  nEffScores: number;
  errorCorrelation: number;
  nEffErrors: number;
}

const STRATEGIES: ConsensusStrategy[] = [
  'mean',
  'median',
  'majority',
  'reliability-weighted',
  'min',
  'unanimous',
];
const CALIBRATION_SHARE = 0.3;

/** Judges from good to poor: noise from 0.15 to 0.25, biases alternating around 0 (their mean is 0). */
function scriptedJudges(count: number): ScriptedJudge[] {
  return Array.from({ length: count }, (_, j) => ({
    name: `judge-${j + 1}`,
    bias: (j % 2 === 1 ? 1 : -1) * 0.04 * Math.ceil(j / 2),
    noiseSd: count === 1 ? 0.15 : 0.15 + (0.1 * j) / (count - 1),
  }));
}

/** A standard normal draw (Box–Muller) from the seeded generator. */
function normal(random: () => number): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function numberOption(args: string[], name: string, fallback: number): number {
  const raw = option(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`--${name}: '${raw}' is not in 0–1`);
  return value;
}

const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
const sd = (values: readonly number[]) => {
  const m = mean(values);
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / Math.max(values.length - 1, 1));
};
const clamp01 = (value: number) => Math.min(Math.max(value, 0), 1);
const fixed = (value: number, digits = 3) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const plusMinus = (values: readonly number[]) => `${fixed(mean(values))} ± ${fixed(sd(values))}`;
const signed = (value: number) => `${value >= 0 ? '+' : ''}${fixed(value)}`;

/** One run: draws items and noise once, then scores both worlds from the same draws. */
function simulate(options: {
  items: number;
  judges: ScriptedJudge[];
  seed: number;
  shared: number;
  threshold: number;
}): { independent: WorldRun; correlated: WorldRun } {
  const random = seededRandom(options.seed);
  const quality: number[] = [];
  const sharedNoise: number[] = [];
  const ownNoise: number[][] = [];
  for (let i = 0; i < options.items; i++) {
    quality.push(random());
    sharedNoise.push(normal(random));
    ownNoise.push(options.judges.map(() => normal(random)));
  }
  const world = (shared: number): WorldRun => {
    // Noise = sd·(√s·shared + √(1−s)·own): the same variance as independent noise, with correlation s.
    const scores = quality.map((q, i) =>
      options.judges.map((judge, j) => {
        const noise =
          Math.sqrt(shared) * (sharedNoise[i] as number) +
          Math.sqrt(1 - shared) * (ownNoise[i]?.[j] as number);
        return clamp01(q + judge.bias + judge.noiseSd * noise);
      }),
    );
    return evaluate(options, quality, scores);
  };
  return { independent: world(0), correlated: world(options.shared) };
}

function evaluate(
  options: { judges: ScriptedJudge[]; threshold: number },
  quality: readonly number[],
  scores: readonly number[][],
): WorldRun {
  const split = Math.floor(quality.length * CALIBRATION_SHARE);
  const truth = quality.map((q) => meetsThreshold(q, options.threshold));
  const vote = (item: number, j: number): ConsensusVote => {
    const score = scores[item]?.[j] as number;
    return {
      judge: options.judges[j]?.name as string,
      score,
      pass: meetsThreshold(score, options.threshold),
    };
  };

  // Calibration split: the real calibration report gives the reliability weights, max(κ, 0).
  const labels = quality
    .slice(0, split)
    .map((_, i) => ({ id: String(i), label: truth[i] ? ('pass' as const) : ('fail' as const) }));
  const runs: CalibrationRun[] = options.judges.map((judge, j) => ({
    judge: judge.name,
    verdicts: labels.map((_, i) => ({ id: String(i), ...vote(i, j) })),
  }));
  const { weights } = calibrationReport({ labels, judges: runs });

  const evaluation = quality.map((_, i) => i).slice(split);
  const expected = evaluation.map((i) => truth[i] as boolean);
  const judgeKappa = options.judges.map((_, j) =>
    cohensKappa(
      evaluation.map((i) => vote(i, j).pass),
      expected,
    ),
  );
  const panelKappa = Object.fromEntries(
    STRATEGIES.map((strategy) => {
      const passes = evaluation.map(
        (i) =>
          consensus(
            options.judges.map((_, j) => vote(i, j)),
            { strategy, threshold: options.threshold, weights },
          ).pass,
      );
      return [strategy, cohensKappa(passes, expected)];
    }),
  ) as Record<ConsensusStrategy, number>;

  // n_eff as the runtime computes it (judges' scores over past verdicts), and from the errors, which needs
  // the truth and so is only possible on the labelled calibration split.
  const fromScores = effectiveVotes(evaluation.map((i) => scores[i] as number[]));
  const fromErrors = effectiveVotes(scores.slice(0, split), { truth: quality.slice(0, split) });
  return {
    judgeKappa,
    panelKappa,
    scoreCorrelation: fromScores.meanCorrelation ?? Number.NaN,
    nEffScores: fromScores.nEff,
    errorCorrelation: fromErrors.meanCorrelation ?? Number.NaN,
    nEffErrors: fromErrors.nEff,
  };
}

/** Median time of one `runChecks` call over `rounds` calls. */
async function timeChecks(
  checks: CheckSpec[],
  output: string,
  workspace: string,
  rounds: number,
): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const results = await runChecks({ output, checks, workspace, allowedCommands: ['node'] });
    times.push(performance.now() - started);
    if (!results.every((result) => result.pass))
      throw new Error(`bench check failed: ${JSON.stringify(results)}`);
  }
  return median(times);
}

async function checksOverhead(): Promise<string[][]> {
  const workspace = mkdtempSync(join(tmpdir(), 'agentd-bench-judge-'));
  try {
    writeFileSync(join(workspace, 'README.md'), '# readme\n');
    const output = `Here is the result:\n\`\`\`json\n${JSON.stringify({ title: 'Canberra', tags: ['capital', 'australia'] })}\n\`\`\`\n`;
    const parse = (specs: unknown[]) => specs.map((spec) => CheckSpecSchema.parse(spec));
    const text = parse([
      { type: 'regex', pattern: '"title"' },
      { type: 'contains', text: 'Canberra' },
      { type: 'excludes', text: 'TODO' },
      { type: 'length', max: 500, unit: 'words' },
    ]);
    const json = parse([
      {
        type: 'json-schema',
        schema: {
          type: 'object',
          required: ['title', 'tags'],
          properties: { tags: { type: 'array', items: { type: 'string' } } },
        },
      },
    ]);
    const files = parse([{ type: 'files', paths: ['README.md'] }]);
    const command = parse([{ type: 'command', argv: ['node', '-e', '0'] }]);
    return [
      [
        '4 text checks (regex, contains, excludes, length)',
        (await timeChecks(text, output, workspace, 2000)).toFixed(4),
      ],
      [
        'json-schema (compiled once, then cached)',
        (await timeChecks(json, output, workspace, 2000)).toFixed(4),
      ],
      ['files (1 path, through the sandbox)', (await timeChecks(files, output, workspace, 500)).toFixed(4)],
      ['command `node -e 0`', (await timeChecks(command, output, workspace, 10)).toFixed(1)],
    ];
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

// The quality loop in the runtime: the judge prompt's markers (see judgePrompt) tell judge calls from agent
// calls, and the output between them tells the judge what it is scoring.
const OUTPUT_MARK = '--- Output to judge ---';
const END_MARK = '--- End of output ---';
const DRAFT = 'Draft: v2 fixes login and adds dark mode.';
const FINAL = 'v2.0 adds dark mode.';
// Fixed usage, so every call costs the same and the budget cap (3× round 1) never ends a loop early.
const USAGE = { inputTokens: 50, outputTokens: 8 };

const LOOP_RUBRIC: Rubric = {
  name: 'release-notes',
  threshold: 0.7,
  criteria: [
    { name: 'accuracy', description: 'states only what changed', weight: 2 },
    { name: 'clarity', description: 'a reader understands it at once', weight: 1 },
  ],
};

/** One way of judging the same task, and what it must take when it works as designed. */
interface LoopMode {
  name: string;
  quality: QualitySettings;
  /** Round 1's agent answers the draft, which the judge rejects; round 2 (with the feedback) the final. */
  rejectFirst: boolean;
  expected: { agents: number; judges: number; rounds: number };
}

const LOOP_MODES: LoopMode[] = [
  {
    name: 'judging off',
    quality: { judging: 'off', rubric: LOOP_RUBRIC },
    rejectFirst: false,
    expected: { agents: 1, judges: 0, rounds: 0 },
  },
  {
    name: 'single, approved',
    quality: { judging: 'single', rubric: LOOP_RUBRIC, judges: [{ name: 'judge' }] },
    rejectFirst: false,
    expected: { agents: 1, judges: 1, rounds: 1 },
  },
  {
    name: 'panel of 3 (mean), approved',
    quality: {
      judging: 'panel',
      rubric: LOOP_RUBRIC,
      strategy: 'mean',
      judges: [{ name: 'a' }, { name: 'b', persona: 'a strict security reviewer' }, { name: 'c' }],
    },
    rejectFirst: false,
    expected: { agents: 1, judges: 3, rounds: 1 },
  },
  {
    name: 'single, rejected then approved',
    quality: { judging: 'single', rubric: LOOP_RUBRIC, judges: [{ name: 'judge' }], maxRounds: 3 },
    rejectFirst: true,
    expected: { agents: 2, judges: 2, rounds: 2 },
  },
];

/** A judge's JSON answer scoring both criteria (as the quality-loop e2e test writes it). */
function judgeAnswer(accuracy: number, clarity: number, issue?: string): FakeTurn {
  return {
    text: JSON.stringify({
      scores: [
        { criterion: 'accuracy', score: accuracy, reason: 'checked against the task' },
        { criterion: 'clarity', score: clarity, reason: 'read once' },
      ],
      issues: issue ? [{ severity: 'major', criterion: 'accuracy', text: issue }] : [],
      suggestions: issue ? ['Name the version number in the first line.'] : [],
    }),
    usage: USAGE,
  };
}

/** The fake's script for one mode: the judge rejects the draft and approves anything else. */
function loopScript(mode: LoopMode): (call: FakeCall) => FakeTurn {
  return (call) => {
    const at = call.promptText.indexOf(OUTPUT_MARK);
    if (at >= 0) {
      const output = call.promptText.slice(at + OUTPUT_MARK.length, call.promptText.indexOf(END_MARK, at));
      return output.includes(DRAFT)
        ? judgeAnswer(0.3, 0.9, 'It claims a fix that is not in the changelog.')
        : judgeAnswer(0.9, 0.8);
    }
    const retry = call.promptText.includes(FEEDBACK_HEADER);
    return { text: mode.rejectFirst && !retry ? DRAFT : FINAL, usage: USAGE };
  };
}

/** What one mode's tasks took. */
interface LoopMeasurement {
  wallMs: number[];
  modelMs: number[];
  agents: number[];
  judges: number[];
  other: number[];
  rounds: number[];
}

/** The time covered by at least one span: a panel's judge calls run in parallel, so their spans overlap. */
function coveredMs(spans: readonly { start: number; end: number }[]): number {
  let covered = 0;
  let reached = Number.NEGATIVE_INFINITY;
  for (const span of [...spans].sort((a, b) => a.start - b.start)) {
    const from = Math.max(span.start, reached);
    if (span.end > from) covered += span.end - from;
    reached = Math.max(reached, span.end);
  }
  return covered;
}

/** The rounds the task's details record (none when it was not judged). */
function roundsOf(result: TaskResult): number {
  const details = result.details as { quality?: { rounds?: unknown[] } } | undefined;
  return details?.quality?.rounds?.length ?? 0;
}

/**
 * Runs `tasks` tasks (after `warmup` uncounted ones) in every mode, each mode on its own runtime, the modes
 * interleaved task by task so a busy moment of the machine hits them all alike.
 */
async function measureLoop(tasks: number, warmup: number): Promise<LoopMeasurement[]> {
  const runs: { mode: LoopMode; test: TestRuntime; fake: FakeLanguageModel; timing: ModelTiming }[] = [];
  try {
    for (const mode of LOOP_MODES) {
      const timing: ModelTiming = { spans: [] };
      const fake = createFakeLanguageModel({ script: loopScript(mode) });
      const test = await createTestRuntime({
        config: { memory: { enabled: false } },
        runtime: { providers: [createFakeProvider({ models: { scripted: timed(fake, timing) } })] },
      });
      runs.push({ mode, test, fake, timing });
    }
    const measured = runs.map((): LoopMeasurement => ({
      wallMs: [],
      modelMs: [],
      agents: [],
      judges: [],
      other: [],
      rounds: [],
    }));
    for (let i = -warmup; i < tasks; i++) {
      for (const [m, { mode, test, fake, timing }] of runs.entries()) {
        timing.spans.length = 0;
        // The fake keeps every call (prompt included) for tests; dropped so memory stays flat.
        fake.calls.length = 0;
        const started = performance.now();
        const result = await test.runtime.tasks.run({
          prompt: `Write release notes for v2 (task ${i})`,
          quality: mode.quality,
        });
        const wall = performance.now() - started;
        const by = result.modelCallsBy;
        const rounds = roundsOf(result);
        const { expected } = mode;
        if (
          result.status !== 'succeeded' ||
          by.agents !== expected.agents ||
          by.judges !== expected.judges ||
          rounds !== expected.rounds
        ) {
          throw new Error(
            `${mode.name}: task ${result.id} ${result.status} (${result.error?.message ?? 'no error'}), ` +
              `calls ${JSON.stringify(by)}, ${rounds} rounds; expected ${JSON.stringify(expected)}`,
          );
        }
        if (i < 0) continue;
        const entry = measured[m] as LoopMeasurement;
        entry.wallMs.push(wall);
        entry.modelMs.push(coveredMs(timing.spans));
        entry.agents.push(by.agents);
        entry.judges.push(by.judges);
        entry.other.push(by.forge + by.memory);
        entry.rounds.push(rounds);
      }
    }
    return measured;
  } finally {
    for (const { test } of runs) await test.dispose();
  }
}

async function loopOverhead(tasks: number, warmup: number): Promise<void> {
  process.stdout.write(
    `quality loop in the runtime: ${tasks} tasks per mode (after ${warmup} warm-up tasks), one at a time with ` +
      'runtime.tasks.run() on a temp home (SQLite, WAL), memory off, the modes interleaved task by task; ' +
      'rubric of 2 criteria, the scripted fake model as agent and judges (fixed usage, answers at once)\n\n',
  );
  const loadBefore = loadavg()[0] ?? Number.NaN;
  const measured = await measureLoop(tasks, warmup);
  const loadAfter = loadavg()[0] ?? Number.NaN;
  const baseline = measured[0] as LoopMeasurement;
  const base = { p50: percentile(baseline.wallMs, 50), p95: percentile(baseline.wallMs, 95) };
  const baseCalls = mean(baseline.agents) + mean(baseline.judges);
  printTable(
    [
      'mode',
      'rounds',
      'model calls / task: agents',
      'judges',
      'wall / task p50',
      'p95',
      'overhead vs off p50',
      'p95',
      'overhead per added call, p50',
      'in the fake model / task',
    ],
    LOOP_MODES.map((mode, m) => {
      const run = measured[m] as LoopMeasurement;
      const p50 = percentile(run.wallMs, 50);
      const p95 = percentile(run.wallMs, 95);
      const added = mean(run.agents) + mean(run.judges) - baseCalls;
      const first = m === 0;
      return [
        mode.name,
        first ? '0 (not judged)' : fixed(mean(run.rounds), 0),
        fixed(mean(run.agents), 0),
        fixed(mean(run.judges), 0),
        formatMs(p50),
        formatMs(p95),
        first ? '—' : `+${formatMs(p50 - base.p50)}`,
        first ? '—' : `+${formatMs(p95 - base.p95)}`,
        first || added <= 0 ? '—' : formatMs((p50 - base.p50) / added),
        formatMs(mean(run.modelMs)),
      ];
    }),
  );
  const other = sum(measured.flatMap((run) => run.other));
  process.stdout.write(
    `Model calls are the task results' modelCallsBy (forge and memory: ${other} in all). Wall = runtime.tasks.run() from ` +
      'submit to result; the fake model answers at once ("in the fake model": the time covered by its calls, ' +
      'from the start of doStream to its return, overlapping calls counted once), so the wall times and the overhead ' +
      'are agentd itself: journal, ledger, span and verdict writes, the judge prompt, parsing the answer, consensus ' +
      '— nothing a real model would add. "judging off" has the rubric too, so the difference is the loop alone. ' +
      `Load average (1 min) ${fixed(loadBefore, 2)} at start, ${fixed(loadAfter, 2)} at end.\n\n`,
  );
}

export async function run(args: string[]): Promise<void> {
  const items = intOption(args, 'items', 2000);
  const judgeCount = intOption(args, 'judges', 5);
  const runs = intOption(args, 'runs', 20);
  const seed = intOption(args, 'seed', 42);
  const shared = numberOption(args, 'shared', 0.8);
  const threshold = numberOption(args, 'threshold', 0.6);
  const loopTasks = intOption(args, 'loop-tasks', 100);
  const loopWarmup = intOption(args, 'loop-warmup', 5);
  const judges = scriptedJudges(judgeCount);
  if (items < 20) throw new Error('--items must be at least 20');

  const results = Array.from({ length: runs }, (_, r) =>
    simulate({ items, judges, seed: seed + r, shared, threshold }),
  );
  process.stdout.write(
    `judge: ${items} items × ${runs} runs (seeds ${seed}–${seed + runs - 1}), ${judgeCount} scripted judges, ` +
      `pass = true quality ≥ ${threshold} (quality uniform in 0–1); calibrate on the first ${CALIBRATION_SHARE * 100}% ` +
      `of the items, evaluate on the rest; correlated world: ${shared * 100}% of each judge's noise variance shared\n` +
      `machine: ${machineLine()}\n` +
      `κ are mean ± sd over the runs, against the ground truth on the evaluation split\n\n`,
  );

  const worlds = [
    { key: 'independent' as const, title: 'independent noise' },
    { key: 'correlated' as const, title: `correlated noise (${shared * 100}% shared)` },
  ];

  printTable(
    ['judge', 'bias', 'noise sd', ...worlds.map((w) => `κ, ${w.title}`)],
    judges.map((judge, j) => [
      judge.name,
      `${judge.bias >= 0 ? '+' : ''}${fixed(judge.bias, 2)}`,
      fixed(judge.noiseSd, 3),
      ...worlds.map((w) => plusMinus(results.map((result) => result[w.key].judgeKappa[j] as number))),
    ]),
  );

  // The best single judge is picked per run on the evaluation split itself: the strongest baseline a panel faces.
  const best = (key: 'independent' | 'correlated') =>
    results.map((result) => Math.max(...result[key].judgeKappa));
  const panelRows = STRATEGIES.map((strategy) => [
    strategy,
    ...worlds.flatMap((w) => {
      const kappas = results.map((result) => result[w.key].panelKappa[strategy]);
      const bests = best(w.key);
      const gain = kappas.map((k, i) => k - (bests[i] as number));
      const wins = gain.filter((g) => g > 0).length;
      return [plusMinus(kappas), signed(mean(gain)), `${wins}/${runs}`];
    }),
  ]);
  printTable(
    ['panel', ...worlds.flatMap((w) => [`κ, ${w.title}`, 'vs best single', 'runs beating it'])],
    [['best single judge', ...worlds.flatMap((w) => [plusMinus(best(w.key)), '', ''])], ...panelRows],
  );

  process.stdout.write(
    'Every vote passes at the same threshold, so unanimous ≡ min, and with an odd number of judges majority ≡ median.\n\n',
  );

  printTable(
    ['world', 'ρ̄ of scores', 'n_eff from scores', 'ρ̄ of errors (vs truth)', 'n_eff from errors'],
    worlds.map((w) => [
      w.title,
      fixed(mean(results.map((result) => result[w.key].scoreCorrelation))),
      fixed(mean(results.map((result) => result[w.key].nEffScores)), 2),
      fixed(mean(results.map((result) => result[w.key].errorCorrelation))),
      fixed(mean(results.map((result) => result[w.key].nEffErrors)), 2),
    ]),
  );
  process.stdout.write(
    `n_eff = n / (1 + (n − 1)·ρ̄). From scores: judges' scores over the evaluation split (what the runtime sees); ` +
      `they correlate through the true quality too. From errors: score − true quality on the calibration split.\n\n`,
  );

  printTable(['deterministic checks (one runChecks call)', 'median ms'], await checksOverhead());

  await loopOverhead(loopTasks, loopWarmup);
}
