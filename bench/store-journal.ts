// Journal steps per second on SQLite (the default) and on PostgreSQL, through the real journal engine:
// one task stepping alone (each step waits for its write: latency-bound) and many tasks stepping at
// once (throughput: SQLite's group commit against Postgres's pool). Also the bare cost of one pg round
// trip and of one committed single-row insert, which bound a Postgres step from below.
// Run with `npm run bench -- store-journal`; options: --steps (per task, default 2000), --tasks
// (concurrent tasks, default 16), --url (default AGENTD_TEST_PG_URL or the local test database).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.js';
import { createJournalEngine } from '../src/executor/index.js';
import { openPostgresStores } from '../src/store/postgres/open-postgres-stores.js';
import { openSqliteStores } from '../src/store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../src/store/stores.js';
import { formatMs, formatRate, intOption, machineLine, option, printTable } from './bench-kit.js';

interface Figures {
  sequential: { stepsPerSecond: number; msPerStep: number };
  concurrent: { stepsPerSecond: number };
}

async function measure(stores: Stores, steps: number, tasks: number): Promise<Figures> {
  const engine = createJournalEngine({
    journal: stores.journal,
    reviews: stores.reviews,
    clock: systemClock,
  });
  const signal = new AbortController().signal;
  const workflow = (count: number) => async (ctx: Parameters<Parameters<typeof engine.run>[1]>[0]) => {
    for (let i = 0; i < count; i++) await ctx.step(`step-${i}`, async ({ key }) => ({ key, ok: true }));
  };
  await engine.run({ taskId: 'warmup', signal }, workflow(Math.min(300, steps)));
  let started = performance.now();
  await engine.run({ taskId: 'sequential', signal }, workflow(steps));
  const elapsed = performance.now() - started;
  const perTask = Math.max(1, Math.floor(steps / 4));
  started = performance.now();
  await Promise.all(
    Array.from({ length: tasks }, (_, i) =>
      engine.run({ taskId: `concurrent-${i}`, signal }, workflow(perTask)),
    ),
  );
  const concurrentElapsed = performance.now() - started;
  return {
    sequential: { stepsPerSecond: steps / (elapsed / 1000), msPerStep: elapsed / steps },
    concurrent: { stepsPerSecond: (perTask * tasks) / (concurrentElapsed / 1000) },
  };
}

/** Runs the benchmark and prints its table. */
export async function run(args: string[]): Promise<void> {
  const steps = intOption(args, 'steps', 2000);
  const tasks = intOption(args, 'tasks', 16);
  const url =
    option(args, 'url') ?? process.env['AGENTD_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
  process.stdout.write(`${machineLine()}\n`);

  const dir = mkdtempSync(join(tmpdir(), 'agentd-bench-journal-'));
  let sqlite: Figures;
  const sqliteStores = openSqliteStores({ path: join(dir, 'agentd.db') });
  try {
    process.stdout.write(`• SQLite: ${steps} steps in one task, then ${tasks} tasks at once…\n`);
    sqlite = await measure(sqliteStores, steps, tasks);
  } finally {
    await sqliteStores.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const schema = `agentd_bench_${randomBytes(4).toString('hex')}`;
  const pgStores = await openPostgresStores({ url, schema });
  let postgres: Figures;
  let roundTrip = 0;
  let insertCommit = 0;
  try {
    process.stdout.write(`• Postgres (${pgStores.url.split('?')[0]}): the same…\n`);
    postgres = await measure(pgStores, steps, tasks);
    const repeats = 1000;
    let started = performance.now();
    for (let i = 0; i < repeats; i++) await pgStores.pool.query('SELECT 1');
    roundTrip = (performance.now() - started) / repeats;
    await pgStores.pool.query('CREATE TABLE bench_rows (id integer PRIMARY KEY)');
    started = performance.now();
    for (let i = 0; i < repeats; i++) await pgStores.pool.query('INSERT INTO bench_rows VALUES ($1)', [i]);
    insertCommit = (performance.now() - started) / repeats;
  } finally {
    await pgStores.pool.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
    await pgStores.close();
  }

  printTable(
    ['store', 'one task: steps/s', 'ms/step', `${tasks} tasks: steps/s`],
    [
      [
        'SQLite (file, WAL, group commit)',
        formatRate(sqlite.sequential.stepsPerSecond, 'steps'),
        formatMs(sqlite.sequential.msPerStep),
        formatRate(sqlite.concurrent.stepsPerSecond, 'steps'),
      ],
      [
        'Postgres (local, pool of 10)',
        formatRate(postgres.sequential.stepsPerSecond, 'steps'),
        formatMs(postgres.sequential.msPerStep),
        formatRate(postgres.concurrent.stepsPerSecond, 'steps'),
      ],
    ],
  );
  process.stdout.write(
    `pg round trip (SELECT 1): ${formatMs(roundTrip)}; one committed single-row INSERT: ${formatMs(insertCommit)}\n`,
  );
}
