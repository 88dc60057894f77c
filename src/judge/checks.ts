import { performance } from 'node:perf_hooks';
import type { CheckResult, CheckSpec } from './check-spec.js';
import { runCommandCheck } from './command-check.js';
import { checkFiles } from './files-check.js';
import { checkOutput } from './output-checks.js';
import type { CheckFinding } from './output-checks.js';
import type { Issue } from './verdict.js';

/** What {@link runChecks} needs. */
export interface RunChecksOptions {
  output: string;
  checks: readonly CheckSpec[];
  /** The task's workspace folder; `files` and `command` checks fail without one. */
  workspace?: string;
  /** Programs `command` checks may run (argv prefixes, see `commandAllowed`); none when absent. */
  allowedCommands?: readonly string[];
  /** The whole environment of `command` checks; they inherit agentd's when absent. */
  env?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

// Cheapest first: text checks cost microseconds, the file system milliseconds, a command seconds. Everything
// still runs (a verdict reports every failure at once, so the next round can fix them all), but an abort
// between checks then loses the least work.
const COST: Record<CheckSpec['type'], number> = {
  regex: 0,
  contains: 0,
  excludes: 0,
  length: 0,
  'json-schema': 1,
  files: 2,
  command: 3,
};

/** The name a check reports under: its own `name`, else a short description of what it checks. */
export function checkName(spec: CheckSpec): string {
  if (spec.name !== undefined) return spec.name;
  switch (spec.type) {
    case 'json-schema':
      return 'json-schema';
    case 'regex':
      return `${spec.match ? 'matches' : 'does not match'} /${spec.pattern}/${spec.flags ?? ''}`;
    case 'contains':
    case 'excludes':
      return `${spec.type} ${JSON.stringify(spec.text)}`;
    case 'length':
      return `length ${spec.min ?? 0}–${spec.max ?? '∞'} ${spec.unit}`;
    case 'files':
      return `files ${spec.paths.join(', ')}`;
    case 'command':
      return `command ${spec.argv.join(' ')}`;
  }
}

/**
 * Runs every check, cheapest first, and returns their results in the order the checks were given. A check
 * that fails does not stop the others. Throws only when aborted or on a system fault (e.g. a missing workspace).
 */
export async function runChecks(options: RunChecksOptions): Promise<CheckResult[]> {
  const order = options.checks
    .map((spec, index) => ({ spec, index }))
    .sort((a, b) => COST[a.spec.type] - COST[b.spec.type] || a.index - b.index);
  const results: CheckResult[] = new Array<CheckResult>(options.checks.length);
  for (const { spec, index } of order) {
    options.signal?.throwIfAborted();
    const started = performance.now();
    const finding = await runOne(spec, options);
    results[index] = {
      type: spec.type,
      name: checkName(spec),
      ...finding,
      durationMs: performance.now() - started,
    };
  }
  return results;
}

function runOne(spec: CheckSpec, options: RunChecksOptions): CheckFinding | Promise<CheckFinding> {
  switch (spec.type) {
    case 'files':
      return checkFiles(spec, options.workspace);
    case 'command':
      return runCommandCheck(spec, {
        workspace: options.workspace,
        allowedCommands: options.allowedCommands ?? [],
        ...(options.env === undefined ? {} : { env: options.env }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
    default:
      return checkOutput(spec, options.output);
  }
}

/** True when every check passed (and so a judge model may be asked); true for no checks. */
export function checksPassed(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.pass);
}

/**
 * Failed checks as judge issues (critical: a failed check rejects on its own), so the next round's feedback
 * treats them like a judge's findings. The criterion is `check:<name>`.
 */
export function checkIssues(results: readonly CheckResult[]): Issue[] {
  return results
    .filter((result) => !result.pass)
    .map((result) => ({ severity: 'critical', criterion: `check:${result.name}`, text: result.reason }));
}
