// Judge panels in a simulated world: items with a hidden true quality (pass = quality ≥ the threshold) and
// scripted judges whose score is the true quality plus a known bias plus noise. Two worlds share every
// random draw and differ only in the noise: (a) independent per judge, (b) correlated, a shared component
// carrying --shared of each judge's noise variance (a common blind spot, e.g. judges from one model family).
// Each run calibrates on the first 30% of the items (κ per judge → reliability weights) and evaluates on the
// rest. Reports per world each judge's κ against the ground truth, the best single judge, each panel
// strategy, and n_eff; then the cost of the deterministic checks. No model is called.
// Options: --items N, --judges N, --runs N, --seed N, --shared 0–1, --threshold 0–1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  calibrationReport,
  CheckSpecSchema,
  cohensKappa,
  consensus,
  effectiveVotes,
  meetsThreshold,
  runChecks,
} from '../src/judge/index.js';
import type { CalibrationRun, CheckSpec, ConsensusStrategy, ConsensusVote } from '../src/judge/index.js';
import { seededRandom } from '../src/router/index.js';
import { intOption, machineLine, median, option, printTable } from './bench-kit.js';

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

export async function run(args: string[]): Promise<void> {
  const items = intOption(args, 'items', 2000);
  const judgeCount = intOption(args, 'judges', 5);
  const runs = intOption(args, 'runs', 20);
  const seed = intOption(args, 'seed', 42);
  const shared = numberOption(args, 'shared', 0.8);
  const threshold = numberOption(args, 'threshold', 0.6);
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
}
