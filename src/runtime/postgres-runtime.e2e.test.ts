// A whole runtime on PostgreSQL: a task runs with the scripted fake model, an interrupted one is resumed by the next process,
// and its events, journal, ledger rows and spans are in the database.
import pg from 'pg';
import { z } from 'zod';
import { defineTool } from '../tools/index.js';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import {
  POSTGRES_TEST_URL,
  describePostgres,
  dropTestSchema,
  newTestSchemaName,
  withTestClient,
} from '../testing/postgres-test-schema.js';
import { createTestRuntimeOptions } from '../testing/test-runtime.js';
import type { TestRuntimeOptions } from '../testing/test-runtime.js';
import type { FakeTurn } from '../testing/fake-language-model.js';
import { until } from '../testing/until.js';
import type { CliIo } from '../cli/cli-io.js';
import type { DoctorCheck } from '../cli/doctor-checks.js';
import { runCli } from '../cli/main.js';
import { createRuntime } from './create-runtime.js';
import { openSecretVault } from './open-secret-vault.js';
import type { Runtime } from './runtime.js';

const schema = newTestSchemaName();
// The schema rides in the URL (libpq's `options`), as a deployment would pin one.
const url = `${POSTGRES_TEST_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
let db: pg.Pool;

const opened: Runtime[] = [];
const built: TestRuntimeOptions[] = [];

let lookups = 0;
const lookup = defineTool({
  name: 'lookup',
  description: 'Look a word up',
  input: z.object({ word: z.string() }),
  execute: async (input) => {
    lookups++;
    return { meaning: `the meaning of ${input.word}` };
  },
});
const researcher = { name: 'researcher', instructions: 'Look words up.', tools: ['lookup'] };

async function open(script: FakeTurn[], options: { resume?: boolean; memory?: boolean } = {}) {
  const setup = createTestRuntimeOptions({
    script,
    config: { store: { url }, memory: { enabled: options.memory ?? false } },
    runtime: { tools: [lookup], ...(options.resume ? { resume: true } : {}) },
  });
  built.push(setup);
  const runtime = await createRuntime(setup.options);
  opened.push(runtime);
  return { runtime, setup };
}

async function count(table: string, taskId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table} WHERE task_id = $1`, [
    taskId,
  ]);
  return Number(rows[0]?.n);
}

describePostgres('a runtime on PostgreSQL', () => {
  beforeAll(async () => {
    await withTestClient((client) => client.query(`CREATE SCHEMA ${schema}`));
    db = new pg.Pool({ connectionString: url, max: 2 });
  });
  afterEach(async () => {
    for (const runtime of opened.splice(0)) await runtime.close();
    for (const setup of built.splice(0)) setup.cleanup();
  });
  afterAll(async () => {
    await db.end();
    await dropTestSchema(schema);
  });

  it('runs a task and keeps its events, journal, ledger and spans in Postgres', async () => {
    const { runtime } = await open([{ text: 'the answer', usage: { inputTokens: 100, outputTokens: 20 } }]);
    const { id } = await runtime.tasks.submit({ prompt: 'answer me' });
    expect(await runtime.tasks.wait(id)).toMatchObject({ status: 'succeeded', output: 'the answer' });

    const { rows } = await db.query('SELECT status, output FROM tasks WHERE id = $1', [id]);
    expect(rows).toEqual([{ status: 'succeeded', output: 'the answer' }]);
    expect(await count('task_events', id)).toBeGreaterThan(2);
    expect(await count('steps', id)).toBeGreaterThan(0);
    const ledger = await db.query(
      'SELECT status, input_tokens, output_tokens FROM cost_ledger WHERE task_id = $1',
      [id],
    );
    expect(ledger.rows).toEqual([{ status: 'settled', input_tokens: '100', output_tokens: '20' }]);
    // Spans are exported after the task ends.
    await until(async () => (await count('spans', id)) > 0, { message: 'the task spans in Postgres' });
    const types = (
      await db.query('SELECT type FROM task_events WHERE task_id = $1 ORDER BY seq', [id])
    ).rows.map((row: { type: string }) => row.type);
    expect(types[0]).toBe('task-start');
    expect(types.at(-1)).toBe('task-end');
  });

  it('resumes a task a stopped process left running', async () => {
    // The first process journals a model call and a tool call, then stops during the second model call.
    const first = await open([
      { toolCalls: [{ toolName: 'lookup', input: { word: 'durable' } }] },
      { waitFor: 'forever' },
    ]);
    const { id } = await first.runtime.tasks.submit({ prompt: 'what is durable?', agent: researcher });
    await until(() => first.setup.model.calls.length === 2, { message: 'the second model call' });
    expect(lookups).toBe(1);
    await first.runtime.close();
    opened.splice(opened.indexOf(first.runtime), 1);
    // A process that stops leaves its task running, under a lease nobody renews.
    expect((await db.query('SELECT status, owner FROM tasks WHERE id = $1', [id])).rows).toEqual([
      { status: 'running', owner: expect.any(String) },
    ]);

    const second = await open([{ text: 'resumed answer' }], { resume: true });
    expect(await second.runtime.tasks.wait(id)).toMatchObject({
      status: 'succeeded',
      output: 'resumed answer',
    });
    // The journaled steps were replayed from Postgres: one model call here, and the tool not run again.
    expect(second.setup.model.calls).toHaveLength(1);
    expect(lookups).toBe(1);
    const ledger = await db.query('SELECT status FROM cost_ledger WHERE task_id = $1 ORDER BY seq', [id]);
    expect(ledger.rows).toEqual([{ status: 'settled' }, { status: 'settled' }]);
  });

  it('shows the server version and the migrations in agentd doctor', async () => {
    const setup = createTestRuntimeOptions({ config: { store: { url }, memory: { enabled: false } } });
    built.push(setup);
    let stdout = '';
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => undefined } };
    expect(await runCli(['doctor', '--json'], { io, runtime: setup.options })).toBe(0);
    const { checks } = JSON.parse(stdout) as { checks: DoctorCheck[] };
    const database = checks.find((check) => check.name === 'database');
    expect(database?.level).toBe('ok');
    expect(database?.detail).toMatch(/^postgres \d+\.\d+ at postgres:\/\/postgres@127\.0\.0\.1:5432\/test/);
    expect(database?.detail).toContain(`schema ${schema}, migrations: core 2`);
  });

  it('keeps the vault in Postgres: agentd secrets writes where the runtime reads', async () => {
    // Memory on does not matter to the vault alone.
    const setup = createTestRuntimeOptions({ config: { store: { url } } });
    built.push(setup);
    const config = setup.options.loadedConfig;
    if (!config) throw new Error('the test setup has a loaded config');
    const opened = await openSecretVault({ loadedConfig: config });
    try {
      await opened.vault.set('SERVICE_TOKEN', 'tok-123');
    } finally {
      await opened.close();
    }
    const { rows } = await db.query(`SELECT name FROM secrets`);
    expect(rows).toEqual([{ name: 'SERVICE_TOKEN' }]);
    const audit = await db.query(`SELECT action, target FROM audit_events WHERE target = 'SERVICE_TOKEN'`);
    expect(audit.rows).toEqual([{ action: 'secret.set', target: 'SERVICE_TOKEN' }]);
  });

  it('with memory on, keeps what a task remembered in Postgres and recalls it in the next task', async () => {
    const { runtime, setup } = await open(
      [{ text: 'The launch code name is Bluefinch.' }, { text: 'Noted.' }],
      { memory: true },
    );
    const first = await runtime.tasks.submit({ prompt: 'What is the launch code name? Remember it.' });
    expect(await runtime.tasks.wait(first.id)).toMatchObject({ status: 'succeeded' });
    await until(async () => (await count('memories', first.id)) > 0, {
      message: "the first task's episode in Postgres",
    });
    const second = await runtime.tasks.submit({ prompt: 'Which launch code name did we settle on?' });
    expect(await runtime.tasks.wait(second.id)).toMatchObject({ status: 'succeeded' });
    // The recalled episode reached the model's prompt.
    expect(setup.model.calls.at(-1)?.promptText).toContain('Bluefinch');
  });
});
