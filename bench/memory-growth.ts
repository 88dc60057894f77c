// Throughput as the database grows, in process (no HTTP, no second process): a real runtime
// (createTestRuntime, SQLite file, memory on) runs --tasks tasks of a 3-agent team on the scripted fake
// model one after the other, on an empty database and then after the database was filled to each of
// --sizes finished tasks (cloned in SQL from the run's own tasks, bench/seed-tasks.ts, as the load
// benchmark does), on a runtime opened again on that file. Reports tasks/s and the memory steps' share
// per size, against the empty database. Run with `npm run bench -- memory-growth`; options:
// --tasks 100, --warmup 10, --agents 3, --sizes 5000,20000,100000 (`none`: the empty database only),
// --embeddings none|use-lite (default none), --memory off (memory disabled), --profile DIR (a CPU
// profile of the last run, into DIR).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeMachine, intOption, machineLine, option, percentile, printTable } from './bench-kit.js';
import { seedTasks } from './seed-tasks.js';
import type { TaskInput } from '../src/pipeline/task-input.js';
import { createTestRuntime } from '../src/testing/test-runtime.js';

const ANSWER = 'The previous step is summarised: three points, one open question about the release date.';

interface Window {
  size: number;
  tasksPerSecond: number;
  /** CPU time of the whole process per task (less sensitive to other processes than wall time). */
  cpuMsPerTask: number;
  p50Ms: number;
  p95Ms: number;
  memories: number;
}

/** Runs the benchmark and prints its table. */
export async function run(args: string[]): Promise<void> {
  const tasks = intOption(args, 'tasks', 100);
  const warmup = intOption(args, 'warmup', 10);
  const rawSizes = option(args, 'sizes') ?? '5000,20000,100000';
  const sizes = rawSizes === 'none' ? [] : rawSizes.split(',').map((s) => Number(s.trim()));
  const agents = intOption(args, 'agents', 3);
  const embeddings = option(args, 'embeddings') ?? 'none';
  const memoryOff = option(args, 'memory') === 'off';
  const profileDir = option(args, 'profile');
  const machine = describeMachine();
  const loadBefore = loadavg()[0] ?? 0;
  process.stdout.write(`agentd memory-growth benchmark — ${machineLine(machine)}\n\n`);

  // --keep DIR: run in DIR and leave the database there (to look into it afterwards).
  const kept = option(args, 'keep');
  const home = kept ?? mkdtempSync(join(tmpdir(), 'agentd-growth-'));
  const windows: Window[] = [];
  let counter = 0;
  try {
    const once = async (size: number, profile: boolean): Promise<Window> => {
      const test = await createTestRuntime({
        home,
        script: [{ text: ANSWER, usage: { inputTokens: 50, outputTokens: 20 } }],
        config: { memory: memoryOff ? { enabled: false } : { embeddings } },
      });
      const team: TaskInput['team'] = {
        name: 'growth',
        topology: 'sequential',
        options: { handoff: 'last' },
        agents: Array.from({ length: agents }, (_, i) => ({
          name: `agent-${i + 1}`,
          role: `Step ${i + 1} of the load pipeline`,
          tools: [],
        })),
      };
      const input = (): TaskInput => ({
        prompt: `Load task ${counter++}: summarise the previous step.`,
        team,
      });
      let session: Session | undefined;
      try {
        for (let i = 0; i < warmup; i++) await test.runtime.tasks.run(input());
        if (profile) {
          session = new Session();
          session.connect();
          await post(session, 'Profiler.enable');
          await post(session, 'Profiler.start');
        }
        const times: number[] = [];
        const cpuBefore = process.cpuUsage();
        const started = performance.now();
        for (let i = 0; i < tasks; i++) {
          test.model.calls.length = 0;
          const t0 = performance.now();
          const result = await test.runtime.tasks.run(input());
          times.push(performance.now() - t0);
          if (result.status !== 'succeeded') throw new Error(`task ${result.id} ${result.status}`);
        }
        const wall = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        if (session && profileDir) {
          const { profile: cpu } = (await post(session, 'Profiler.stop')) as { profile: unknown };
          mkdirSync(profileDir, { recursive: true });
          writeFileSync(join(profileDir, `growth-${size}.cpuprofile`), JSON.stringify(cpu));
        }
        const memories = memoryOff
          ? 0
          : Object.values((await test.runtime.memory.stats()).layers).reduce((a, b) => a + b, 0);
        return {
          size,
          tasksPerSecond: tasks / (wall / 1000),
          cpuMsPerTask: (cpu.user + cpu.system) / 1000 / tasks,
          p50Ms: percentile(times, 50),
          p95Ms: percentile(times, 95),
          memories,
        };
      } finally {
        session?.disconnect();
        await test.runtime.close();
      }
    };
    windows.push(await once(0, profileDir !== undefined && sizes.length === 0));
    for (const [i, size] of sizes.entries()) {
      const seeded = seedTasks({ path: join(home, 'agentd.db'), total: size });
      process.stdout.write(
        `• ${seeded.totalTasks} tasks in the database (seeded in ${Math.round(seeded.ms)} ms)\n`,
      );
      windows.push(await once(size, profileDir !== undefined && i === sizes.length - 1));
    }
  } finally {
    if (!kept) rmSync(home, { recursive: true, force: true });
  }
  const empty = windows[0] as Window;
  process.stdout.write('\n');
  printTable(
    [
      'tasks in the database',
      'tasks/s (vs empty)',
      'CPU per task (vs empty)',
      'task p50 / p95',
      'memories in the tenant',
    ],
    windows.map((w) => [
      w.size === 0 ? 'empty' : String(w.size),
      `${w.tasksPerSecond.toFixed(1)} (${Math.round((100 * w.tasksPerSecond) / empty.tasksPerSecond)}%)`,
      `${w.cpuMsPerTask.toFixed(1)} ms (${Math.round((100 * w.cpuMsPerTask) / empty.cpuMsPerTask)}%)`,
      `${w.p50Ms.toFixed(1)} ms / ${w.p95Ms.toFixed(1)} ms`,
      String(w.memories),
    ]),
  );
  process.stdout.write(
    `\n- ${tasks} tasks per size after ${warmup} warm-up ones, one at a time, 3-agent sequential team, ` +
      `scripted fake model, memory.embeddings: ${embeddings}. Load average (1 min) ${loadBefore.toFixed(2)} at start, ` +
      `${(loadavg()[0] ?? 0).toFixed(2)} at end.\n`,
  );
}

function post(session: Session, method: string): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
  );
}
