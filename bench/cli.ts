// CLI start-up: wall time of `node bin/agentd.js --help`, `--version` and every command's `--help`,
// each spawned N times (the built bundle in dist/, as an installed agentd runs). Reports p50 / p95
// per invocation against the 150 ms goal. Run `npm run build` first.
// Run with `npm run bench -- cli`; options: --runs N (default 10), --warmup N (default 2), --all
// (every command's --help; default: the top-level ones and a few subcommands).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { flag, formatMs, intOption, machineLine, percentile, printTable } from './bench-kit.js';

const BIN = fileURLToPath(new URL('../bin/agentd.js', import.meta.url));
const GOAL_MS = 150;

/** The argument lists measured: --help, --version, and `<command> --help` for each command. */
function invocations(all: boolean): string[][] {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  if (help.status !== 0) throw new Error(`agentd --help failed: ${help.stderr}`);
  // Commander's help lists commands under "Commands:", one per line, name first.
  const commands = help.stdout
    .split('\n')
    .slice(help.stdout.split('\n').findIndex((l) => l.startsWith('Commands:')) + 1)
    .map((line) => /^ {2}([a-z0-9-]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== 'help');
  const list = [['--help'], ['--version'], ...commands.map((c) => [c, '--help'])];
  if (all)
    list.push(['tasks', 'list', '--help'], ['memory', 'search', '--help'], ['reviews', 'approve', '--help']);
  else list.splice(2, list.length, ['run', '--help'], ['tasks', '--help'], ['tasks', 'list', '--help']);
  return list;
}

function timeOnce(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`agentd ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  }
  const runs = intOption(args, 'runs', 10);
  const warmup = intOption(args, 'warmup', 2);
  const loadStart = loadavg()[0] ?? 0;
  const rows: string[][] = [];
  const all: number[] = [];
  for (const argv of invocations(flag(args, 'all'))) {
    for (let i = 0; i < warmup; i++) timeOnce(argv);
    const times = Array.from({ length: runs }, () => timeOnce(argv));
    all.push(...times);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    rows.push([`agentd ${argv.join(' ')}`, formatMs(p50), formatMs(p95), p95 <= GOAL_MS ? 'yes' : 'NO']);
  }
  console.log(`cli start-up: ${runs} runs each after ${warmup} warm-up, goal ≤ ${GOAL_MS} ms`);
  console.log(
    `machine: ${machineLine()}; 1-minute load ${loadStart.toFixed(2)} at start, ${(loadavg()[0] ?? 0).toFixed(2)} at end`,
  );
  printTable(['invocation', 'p50', 'p95', `p95 ≤ ${GOAL_MS} ms?`], rows);
  console.log(`all invocations: p50 ${formatMs(percentile(all, 50))}, p95 ${formatMs(percentile(all, 95))}`);
  // A baseline: node starting and exiting, which no CLI can beat.
  const bare = Array.from({ length: runs }, () => {
    const started = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    return performance.now() - started;
  });
  console.log(`for comparison, node -e 0: p50 ${formatMs(percentile(bare, 50))}`);
}
