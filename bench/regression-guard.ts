// The regression guard of a benchmark (`npm run bench -- overhead --check`): a few of its figures
// measured again and compared with a baseline committed in bench/baselines/, each as a ratio to a
// calibration loop timed in the same process right before and after it. A slower or busier machine
// slows the loop as well as the figure, so the ratio stays where a plain time would not. A figure whose
// ratio is worse than the baseline's by more than the tolerance (25% unless the baseline says
// otherwise) fails the check: the message names it, both ratios and the tolerance, and the process
// exits 1. `--update-baseline` measures the same way and rewrites the baseline file.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { flag, formatTable, intOption, machineLine, median, option } from './bench-kit.js';

/** Whether less of a figure is better (a time) or more (a rate). */
export type Better = 'lower' | 'higher';

/** A figure the guard watches, and how to measure it once. */
export interface GuardedFigure {
  /** Its key in the baseline file: stable across label changes. */
  key: string;
  label: string;
  unit: string;
  better: Better;
  measure(): Promise<number>;
}

/** A figure as measured: its median value and its median ratio to the calibration loop. */
export interface FigureRecord {
  label: string;
  unit: string;
  better: Better;
  value: number;
  /**
   * A time in calibration loops (`value / calibrationMs`), or a rate per second in units per
   * calibration loop (`value × calibrationMs / 1000`).
   */
  ratio: number;
}

/** One run of the guarded figures. */
export interface Measurement {
  /** The calibration loop's time, median over the run. */
  calibrationMs: number;
  repetitions: number;
  figures: Record<string, FigureRecord>;
}

/** The committed baseline: a measurement, with where, when and how it was taken. */
export interface Baseline extends Measurement {
  benchmark: string;
  recorded: string;
  machine: string;
  loadAverage: string;
  command: string;
  /** How much worse a ratio may get before the check fails, as a fraction (0.25 = 25%). */
  tolerance: number;
}

/** One figure of a check. `change`: how much worse its ratio is (negative when better). */
export interface FigureComparison {
  key: string;
  label: string;
  baseline: FigureRecord | undefined;
  measured: FigureRecord | undefined;
  change: number | undefined;
  passed: boolean;
}

/** The outcome of a check, and a message per failed figure. */
export interface GuardVerdict {
  passed: boolean;
  figures: FigureComparison[];
  failures: string[];
}

/** The default tolerance: a figure may get 25% worse (relative to the calibration loop). */
export const DEFAULT_TOLERANCE = 0.25;

/**
 * The ratio of a figure to the calibration loop's time: a time in loops, a rate in units per loop.
 * Either way the machine's speed cancels out, to the extent the loop and the figure slow alike.
 */
export function ratioToCalibration(value: number, better: Better, calibrationMs: number): number {
  return better === 'lower' ? value / calibrationMs : (value * calibrationMs) / 1000;
}

/**
 * Compares a measurement with the baseline, figure by figure: a figure passes unless its ratio is
 * worse by more than `tolerance`. A figure in the baseline that was not measured fails (the guard
 * lost it); one measured but not in the baseline passes with a note (record it with
 * --update-baseline). Pure: no timing, no I/O.
 */
export function compareToBaseline(
  baseline: Pick<Baseline, 'figures'>,
  measured: Pick<Measurement, 'figures'>,
  tolerance: number,
): GuardVerdict {
  const keys = [...new Set([...Object.keys(baseline.figures), ...Object.keys(measured.figures)])];
  const figures = keys.map((key): FigureComparison => {
    const before = baseline.figures[key];
    const now = measured.figures[key];
    if (!before || !now) {
      return {
        key,
        label: (before ?? now)?.label ?? key,
        baseline: before,
        measured: now,
        change: undefined,
        passed: !before,
      };
    }
    // Both ratios are costs for a time and yields for a rate: worse is a higher time, a lower rate.
    const change = before.better === 'lower' ? now.ratio / before.ratio - 1 : before.ratio / now.ratio - 1;
    return {
      key,
      label: before.label,
      baseline: before,
      measured: now,
      change,
      passed: change <= tolerance + 1e-9,
    };
  });
  const failures = figures
    .filter((figure) => !figure.passed)
    .map((figure) => failureMessage(figure, tolerance));
  return { passed: failures.length === 0, figures, failures };
}

function failureMessage(figure: FigureComparison, tolerance: number): string {
  const { baseline, measured, change } = figure;
  if (!measured || !baseline || change === undefined) {
    return `${figure.label} (${figure.key}): in the baseline but not measured`;
  }
  const per = baseline.better === 'lower' ? 'calibration loops' : `${baseline.unit} per calibration loop`;
  return (
    `${figure.label} got ${percent(change)} worse: ratio ${measured.ratio.toPrecision(4)} ${per} ` +
    `(${formatValue(measured)}) against ${baseline.ratio.toPrecision(4)} in the baseline ` +
    `(${formatValue(baseline)}); tolerance ${percent(tolerance)}`
  );
}

/**
 * The calibration workload: fixed, CPU-bound JavaScript of the kinds the runtime does (objects,
 * JSON, strings, maps, sorting, float arithmetic), about 10–20 ms on a 2-core VM. Returns a checksum
 * so that nothing is optimised away.
 */
export function calibrationLoop(): number {
  let checksum = 0;
  const records: { id: string; n: number; tags: string[] }[] = [];
  for (let i = 0; i < 5_000; i++)
    records.push({ id: `r${i}`, n: (i * 7919) % 10_007, tags: ['a', `t${i % 13}`] });
  const parsed = JSON.parse(JSON.stringify(records)) as typeof records;
  const byId = new Map(parsed.map((record) => [record.id, record]));
  for (let i = 0; i < 5_000; i++) checksum += byId.get(`r${(i * 31) % 5_000}`)?.n ?? 0;
  const numbers = Float64Array.from({ length: 50_000 }, (_, i) => Math.sin(i) * 1_000);
  numbers.sort();
  checksum += numbers[25_000] as number;
  let text = '';
  for (let i = 0; i < 2_000; i++) text += `${i.toString(36)}-`;
  checksum += text.split('-').filter((part) => part.includes('a')).length;
  for (let i = 0; i < 200_000; i++) checksum += Math.sqrt(i) * 1e-6;
  return checksum;
}

/** The calibration loop's time in ms: the median of `runs` runs. */
function timeCalibration(runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    calibrationLoop();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Every repetition of a figure: its values, its ratios and the calibration times around them. */
interface FigureSamples {
  figure: GuardedFigure;
  values: number[];
  ratios: number[];
  calibrations: number[];
}

/**
 * Measures the figures `repetitions` times, each measurement bracketed by the calibration loop, and
 * adds what it measured to `samples` (so a second round can confirm a first).
 */
async function sample(
  figures: readonly GuardedFigure[],
  repetitions: number,
  samples: Map<string, FigureSamples>,
): Promise<void> {
  timeCalibration(); // JIT warm-up of the loop itself
  for (let repetition = 0; repetition < repetitions; repetition++) {
    for (const figure of figures) {
      const before = timeCalibration();
      const value = await figure.measure();
      const calibrationMs = (before + timeCalibration()) / 2;
      let entry = samples.get(figure.key);
      if (!entry) {
        entry = { figure, values: [], ratios: [], calibrations: [] };
        samples.set(figure.key, entry);
      }
      entry.values.push(value);
      entry.ratios.push(ratioToCalibration(value, figure.better, calibrationMs));
      entry.calibrations.push(calibrationMs);
      process.stdout.write(
        `  ${figure.label}: ${value.toPrecision(4)} ${figure.unit} (calibration ${calibrationMs.toFixed(1)} ms)\n`,
      );
    }
  }
}

/** The medians of the samples: a figure's value and ratio, and the calibration time over all. */
function summarize(
  samples: ReadonlyMap<string, FigureSamples>,
  pick: 'median' | 'best' = 'median',
): Measurement {
  const entries = [...samples.values()];
  const round = (value: number) => Number(value.toPrecision(4));
  // The best of a figure's repetitions: the slower ones are the ones other work on the machine got in.
  const best = (values: readonly number[], better: Better) =>
    better === 'lower' ? Math.min(...values) : Math.max(...values);
  const choose = (values: readonly number[], better: Better) =>
    pick === 'best' ? best(values, better) : median(values);
  return {
    calibrationMs: round(median(entries.flatMap((entry) => entry.calibrations))),
    repetitions: Math.max(0, ...entries.map((entry) => entry.values.length)),
    figures: Object.fromEntries(
      entries.map(({ figure, values, ratios }) => [
        figure.key,
        {
          label: figure.label,
          unit: figure.unit,
          better: figure.better,
          value: round(choose(values, figure.better)),
          ratio: round(choose(ratios, figure.better)),
        },
      ]),
    ),
  };
}

const BASELINES = join(dirname(fileURLToPath(import.meta.url)), 'baselines');

/**
 * `--check`: measures the figures and compares them with bench/baselines/<benchmark>.json, printing a
 * table and, for each figure that got worse than the tolerance allows, a message; exit code 1 then.
 * `--update-baseline`: measures them and rewrites that file. A figure that fails is measured again as
 * many times and judged on the best of all its repetitions. Options: `--repetitions N` (default 3),
 * `--tolerance PERCENT` (default: the baseline's, else 25).
 */
export async function runRegressionGuard(options: {
  benchmark: string;
  args: readonly string[];
  figures: readonly GuardedFigure[];
}): Promise<void> {
  const { benchmark, args, figures } = options;
  const path = join(BASELINES, `${benchmark}.json`);
  const repetitions = intOption(args, 'repetitions', 3);
  const toleranceOption = option(args, 'tolerance');
  const update = flag(args, 'update-baseline');
  const baseline = update ? undefined : readBaseline(path);
  const tolerance =
    toleranceOption !== undefined
      ? Number(toleranceOption) / 100
      : (baseline?.tolerance ?? DEFAULT_TOLERANCE);
  if (!(tolerance >= 0)) throw new Error(`--tolerance must be a percentage ≥ 0, not '${toleranceOption}'`);
  const loadAtStart = (loadavg()[0] as number).toFixed(2);
  process.stdout.write(
    `${benchmark} regression guard (${update ? 'recording the baseline' : `against ${path}`}), ` +
      `${repetitions} repetitions — ${machineLine()}, load ${loadAtStart}\n`,
  );
  const samples = new Map<string, FigureSamples>();
  await sample(figures, repetitions, samples);
  let measured = summarize(samples);
  const load = () => `${loadAtStart} → ${(loadavg()[0] as number).toFixed(2)}`;

  if (update) {
    const recorded: Baseline = {
      benchmark,
      recorded: new Date().toISOString().slice(0, 10),
      machine: machineLine(),
      loadAverage: load(),
      command: `npm run bench -- ${benchmark} ${args.join(' ')}`.trim(),
      tolerance,
      ...measured,
    };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(recorded, null, 2)}\n`);
    process.stdout.write(
      `\nbaseline written to ${path} (calibration loop ${measured.calibrationMs.toFixed(1)} ms)\n`,
    );
    return;
  }

  let verdict = compareToBaseline(baseline as Baseline, measured, tolerance);
  if (!verdict.passed) {
    // A busy machine slows a figure and the loop around it unevenly (SQLite and the event loop suffer
    // more from other processes than a pure-CPU loop): a figure that fails is measured as many times
    // again and judged on the best of all its repetitions, since load only ever slows it. A real
    // regression slows every repetition.
    const failing = figures.filter((figure) =>
      verdict.figures.some((f) => f.key === figure.key && !f.passed),
    );
    process.stdout.write(
      `\n${failing.length} figure(s) worse than the tolerance: measuring them again to confirm\n`,
    );
    await sample(failing, repetitions, samples);
    measured = summarize(samples, 'best');
    verdict = compareToBaseline(baseline as Baseline, measured, tolerance);
  }
  process.stdout.write(
    `\n${formatTable(
      [
        'figure',
        'baseline (ratio)',
        'now (ratio)',
        'ratio vs baseline (+ is worse)',
        `within ${percent(tolerance)}?`,
      ],
      verdict.figures.map((figure) => [
        figure.label,
        figure.baseline ? `${formatValue(figure.baseline)} (${figure.baseline.ratio.toPrecision(4)})` : '—',
        figure.measured ? `${formatValue(figure.measured)} (${figure.measured.ratio.toPrecision(4)})` : '—',
        figure.change === undefined ? '—' : `${figure.change > 0 ? '+' : ''}${percent(figure.change)}`,
        figure.passed ? 'yes' : 'NO',
      ]),
    )}\n` +
      `calibration loop: ${measured.calibrationMs.toFixed(1)} ms now, ${(baseline as Baseline).calibrationMs.toFixed(1)} ms ` +
      `in the baseline (${(baseline as Baseline).recorded}); load ${load()}\n`,
  );
  if (verdict.passed) {
    process.stdout.write('regression guard: passed\n');
    return;
  }
  process.stderr.write(
    `regression guard: FAILED\n${verdict.failures.map((failure) => `  ${failure}\n`).join('')}`,
  );
  process.exitCode = 1;
}

const FigureRecordSchema = z.object({
  label: z.string(),
  unit: z.string(),
  better: z.enum(['lower', 'higher']),
  value: z.number(),
  ratio: z.number().positive(),
});

const BaselineSchema = z.object({
  benchmark: z.string(),
  recorded: z.string(),
  machine: z.string(),
  loadAverage: z.string(),
  command: z.string(),
  tolerance: z.number().nonnegative(),
  calibrationMs: z.number().positive(),
  repetitions: z.number().int().positive(),
  figures: z.record(z.string(), FigureRecordSchema),
});

function readBaseline(path: string): Baseline {
  if (!existsSync(path)) {
    throw new Error(`no baseline at ${path}: record one with --update-baseline`);
  }
  const parsed = BaselineSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a baseline: ${parsed.error.message}`);
  return parsed.data;
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(0)}%`;
}

function formatValue(figure: FigureRecord): string {
  return `${figure.value.toPrecision(4)} ${figure.unit}`;
}
