// Shared helpers of the benchmarks: statistics, table printing and a description of the machine,
// so every benchmark reports its figures the same way and docs/benchmarks.md can quote them as printed.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import Database from 'better-sqlite3';
import type { FakeLanguageModel } from '../src/testing/fake-language-model.js';

/** Files in bench/ that are not benchmarks (tests, `*.test.ts`, are not either). */
export const NON_BENCHMARK_FILES: ReadonlySet<string> = new Set([
  'run.ts',
  'bench-kit.ts',
  'serve-kit.ts',
  'seed-tasks.ts',
  'fake-openai-process.ts',
  'profile-top.ts',
  'serve-start.ts',
  'regression-guard.ts',
]);

/** Names of the benchmarks in `dir` (each `NAME.ts` exporting `run(args)`), sorted. */
export function listBenchmarks(dir: string): string[] {
  return readdirSync(dir)
    .filter(
      (file) =>
        file.endsWith('.ts') &&
        !file.endsWith('.d.ts') &&
        !file.endsWith('.test.ts') &&
        !NON_BENCHMARK_FILES.has(file),
    )
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

/** The p-th percentile (0–100) of `values`, interpolating linearly between closest ranks; NaN if empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const lowValue = sorted[low] as number;
  const highValue = sorted[high] as number;
  return lowValue + (highValue - lowValue) * (rank - low);
}

/** The median of `values` (the 50th percentile). */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The sum of `values`. */
export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Milliseconds with a precision that suits their size (`0.183 ms`, `12.4 ms`, `250 ms`). */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const digits = ms < 1 ? 3 : ms < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ms`;
}

/** A count per second, rounded: `12345 steps/s`. */
export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  return `${Math.round(perSecond)} ${unit}/s`;
}

/** Bytes in MB of 1024 × 1024 bytes, as `top` and `ps` count them: `85.6 MB`. */
export function formatMegabytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The machine a benchmark ran on. */
export interface MachineDescription {
  cores: number;
  cpuModel: string;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  /** ISO date (YYYY-MM-DD) of the run. */
  date: string;
}

/** Describes this machine: cores (`os.availableParallelism()`), CPU model, memory, Node version, date. */
export function describeMachine(now: Date = new Date()): MachineDescription {
  const cpu = os.cpus()[0];
  return {
    cores: os.availableParallelism(),
    cpuModel: cpu ? cpu.model.trim().replace(/\s+/g, ' ') : 'unknown CPU',
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: now.toISOString().slice(0, 10),
  };
}

/** One line: `4 cores, Intel(R) Xeon(R) …, 15.6 GB RAM, Node v20.19.0, linux 6.1 x64, 2025-01-31`. */
export function machineLine(machine: MachineDescription = describeMachine()): string {
  const memoryGb = (machine.totalMemoryBytes / 1024 ** 3).toFixed(1);
  return `${machine.cores} cores, ${machine.cpuModel}, ${memoryGb} GB RAM, Node ${machine.node}, ${machine.platform}, ${machine.date}`;
}

/** A Markdown table (aligned, so it reads well in a terminal and pastes into docs as is). */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [
    line(headers),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

/** Prints a table to stdout, followed by a blank line. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(`${formatTable(headers, rows)}\n\n`);
}

/** `--name value` or `--name=value` from `args`, or undefined. */
export function option(args: readonly string[], name: string): string | undefined {
  for (const [index, arg] of args.entries()) {
    if (arg === `--${name}`) return args[index + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/**
 * A path the user gave on the command line, resolved against the directory they ran the command
 * from: npm runs scripts from the repository root but keeps the original directory in INIT_CWD.
 */
export function userPath(path: string): string {
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

/** A positive integer option, or `fallback`; throws on anything else so typos are not silently ignored. */
export function intOption(args: readonly string[], name: string, fallback: number): number {
  const raw = option(args, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name}: '${raw}' is not a positive integer`);
  return value;
}

/** Whether the flag `--name` is present. */
export function flag(args: readonly string[], name: string): boolean {
  return args.includes(`--${name}`);
}

/** Intervals spent inside the model during the task being measured. */
export interface ModelTiming {
  spans: { start: number; end: number }[];
}

/** Wraps a model so every doStream/doGenerate records when it started and returned. */
export function timed(inner: FakeLanguageModel, timing: ModelTiming): FakeLanguageModel {
  const record = async <T>(call: () => PromiseLike<T>): Promise<T> => {
    const start = performance.now();
    const result = await call();
    timing.spans.push({ start, end: performance.now() });
    return result;
  };
  const model: LanguageModelV3 & { calls: FakeLanguageModel['calls'] } = {
    specificationVersion: 'v3',
    provider: inner.provider,
    modelId: inner.modelId,
    supportedUrls: inner.supportedUrls,
    calls: inner.calls,
    doGenerate: (options) => record(() => inner.doGenerate(options)),
    doStream: (options) => record(() => inner.doStream(options)),
  };
  return model;
}

/** Journaled steps of the given tasks, read from the database itself. */
export function countSteps(path: string, taskIds: string[]): number {
  const db = new Database(path, { readonly: true });
  try {
    const row = db
      .prepare('SELECT count(*) AS n FROM steps WHERE task_id IN (SELECT value FROM json_each(?))')
      .get(JSON.stringify(taskIds)) as { n: number };
    return row.n;
  } finally {
    db.close();
  }
}
