import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';

const DAY = 86_400_000;

let t: TestRuntime | undefined;
afterEach(async () => {
  await t?.dispose();
  t = undefined;
});

/** A runtime whose clock the test moves; each task notes something and writes a 10-byte file. */
async function runtimeWithClock(
  script?: FakeTurn[] | ((call: { promptText: string }) => FakeTurn),
  config: Record<string, unknown> = {},
) {
  const clock = { at: Date.UTC(2026, 0, 1) };
  t = await createTestRuntime({
    script: script ?? [
      { toolCalls: [{ toolName: 'notes', input: { action: 'add', text: 'found the answer' } }] },
      { toolCalls: [{ toolName: 'write_file', input: { path: 'out/answer.txt', content: '0123456789' } }] },
      { text: 'Done.' },
    ],
    config: { security: { pii: { prompts: 'allow' } }, ...config },
    runtime: { clock: { now: () => clock.at } },
  });
  return { t, clock };
}

async function runTask(runtime: TestRuntime['runtime'], prompt: string) {
  return runtime.tasks.run({ prompt, agent: { name: 'clerk', tools: ['notes', 'write_file'] } });
}

/** The rows the runtime's own stores hold for a task, read through a second connection. */
async function storedRows(home: string, taskId: string) {
  const stores = openSqliteStores({ path: join(home, 'agentd.db') });
  try {
    return {
      task: await stores.tasks.get(taskId),
      events: (await stores.tasks.listEvents(taskId)).length,
      steps: (await stores.journal.list(taskId)).length,
      spans: (await stores.traces.listByTask(taskId)).length,
      costs: await stores.ledger.listByTask(taskId),
      total: (await stores.ledger.totals({})).costUsd,
      notes: await stores.memories.count({ tenant: 'default', taskId, layers: ['working'] }),
      audit: await stores.audit.list({ limit: 50 }),
    };
  } finally {
    await stores.close();
  }
}

describe('deleting a finished task', () => {
  it('removes its journal, events, spans, working notes and workspace; keeps its cost rows, marked pruned', async () => {
    const { t } = await runtimeWithClock();
    const task = await runTask(t.runtime, 'Find the answer');
    expect(task.status).toBe('succeeded');
    const workspace = join(t.home, 'workspaces', task.id);
    expect(readFileSync(join(workspace, 'out', 'answer.txt'), 'utf8')).toBe('0123456789');
    const before = await storedRows(t.home, task.id);
    expect(before.steps).toBeGreaterThan(0);
    expect(before.spans).toBeGreaterThan(0);
    expect(before.notes).toBe(1);

    const removal = await t.runtime.tasks.remove(task.id);

    expect(removal.bytesFreed).toBe(10);
    expect(removal.workingNotes).toBe(1);
    expect(removal.rows.steps).toBe(before.steps);
    expect(existsSync(workspace)).toBe(false);
    await expect(t.runtime.tasks.get(task.id)).rejects.toMatchObject({ code: 'task.not_found' });
    const after = await storedRows(t.home, task.id);
    expect(after).toMatchObject({ task: null, events: 0, steps: 0, spans: 0, notes: 0 });
    // Cost history stays: same rows, same total, each marked with when its task was pruned.
    expect(after.costs.map((row) => row.id)).toEqual(before.costs.map((row) => row.id));
    expect(after.costs.every((row) => typeof row.prunedAt === 'number')).toBe(true);
    expect(after.total).toBe(before.total);
    // The audit log keeps the task's history and records the deletion.
    expect(after.audit.map((event) => event.action)).toEqual(['task.delete', 'task.create']);
  });

  it('refuses a running task with task.not_finished, and an unknown one with task.not_found', async () => {
    const { t } = await runtimeWithClock([{ waitFor: 'forever', text: 'never' }]);
    const running = await t.runtime.tasks.submit({ prompt: 'Think forever' });
    await until(async () => (await t.runtime.tasks.get(running.id)).status === 'running');
    const refused = await t.runtime.tasks.remove(running.id).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AgentdError);
    expect((refused as AgentdError).code).toBe('task.not_finished');
    expect((refused as AgentdError).message).toMatch(/cancel it first/);
    expect((await t.runtime.tasks.get(running.id)).status).toBe('running');
    await expect(t.runtime.tasks.remove('task_nope')).rejects.toMatchObject({ code: 'task.not_found' });
  });

  it('never follows a symlink out of the workspaces folder', async () => {
    const { t } = await runtimeWithClock([{ text: 'Done.' }]);
    const task = await runTask(t.runtime, 'Say done');
    const outside = join(t.home, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'keep.txt'), 'precious');
    mkdirSync(join(t.home, 'workspaces'), { recursive: true });
    symlinkSync(outside, join(t.home, 'workspaces', task.id));

    expect((await t.runtime.tasks.remove(task.id)).bytesFreed).toBe(0);
    expect(readFileSync(join(outside, 'keep.txt'), 'utf8')).toBe('precious');
  });
});

describe('pruning finished tasks by age', () => {
  it('removes only finished tasks older than the cutoff; a dry run lists them and removes nothing', async () => {
    const { t, clock } = await runtimeWithClock();
    const old = await runTask(t.runtime, 'Old work');
    clock.at += 10 * DAY;
    const recent = await runTask(t.runtime, 'Recent work');
    clock.at += 1 * DAY;

    const dry = await t.runtime.tasks.prune({ olderThanMs: 5 * DAY, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, removed: 0, bytesFreed: 10, truncated: false, failed: [] });
    expect(dry.tasks.map((task) => task.id)).toEqual([old.id]);
    expect((await t.runtime.tasks.get(old.id)).status).toBe('succeeded');

    const progress: number[] = [];
    const report = await t.runtime.tasks.prune({ olderThanMs: 5 * DAY }, undefined, {
      progress: (done) => progress.push(done),
    });
    expect(report).toMatchObject({ dryRun: false, removed: 1, bytesFreed: 10, failed: [] });
    expect(progress).toEqual([1]);
    await expect(t.runtime.tasks.get(old.id)).rejects.toMatchObject({ code: 'task.not_found' });
    expect((await t.runtime.tasks.get(recent.id)).status).toBe('succeeded');
    const audit = (await storedRows(t.home, old.id)).audit;
    expect(audit[0]).toMatchObject({ action: 'tasks.prune', details: { removed: 1, bytesFreed: 10 } });
  });

  it('filters by status and never touches a running task, however old', async () => {
    const { t, clock } = await runtimeWithClock(({ promptText }) =>
      /To cancel|Keep running/.test(promptText) ? { waitFor: 'forever', text: 'never' } : { text: 'Done.' },
    );
    const done = await runTask(t.runtime, 'Done work');
    const cancelled = await t.runtime.tasks.submit({ prompt: 'To cancel' });
    await t.runtime.tasks.cancel(cancelled.id);
    const running = await t.runtime.tasks.submit({ prompt: 'Keep running' });
    await until(async () => (await t.runtime.tasks.get(running.id)).status === 'running');
    clock.at += 3 * DAY;

    const onlyCancelled = await t.runtime.tasks.prune({ olderThanMs: DAY, status: ['cancelled'] });
    expect(onlyCancelled.tasks.map((task) => task.id)).toEqual([cancelled.id]);
    expect((await t.runtime.tasks.get(done.id)).status).toBe('succeeded');

    const everything = await t.runtime.tasks.prune({ olderThanMs: DAY });
    expect(everything.tasks.map((task) => task.id)).toEqual([done.id]);
    expect((await t.runtime.tasks.get(running.id)).status).toBe('running');
  });

  it('is applied by the configured retention once started (agentd serve starts it)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'agentd-retention-'));
    try {
      const first = await createTestRuntime({
        home,
        script: [{ text: 'Done.' }],
        runtime: { clock: { now: () => Date.UTC(2026, 0, 1) } },
      });
      const task = await runTask(first.runtime, 'Short-lived');
      await first.dispose();

      // Forty days later, a server starts with a retention of thirty days.
      t = await createTestRuntime({
        home,
        config: { executor: { retention: { finishedTasks: '30d' } } },
        runtime: { clock: { now: () => Date.UTC(2026, 0, 1) + 40 * DAY } },
      });
      const runtime = t.runtime;
      expect((await runtime.tasks.list()).map((listed) => listed.id)).toEqual([task.id]);
      runtime.tasks.applyRetention();
      await until(async () => (await runtime.tasks.list()).length === 0);
      await expect(runtime.tasks.get(task.id)).rejects.toMatchObject({ code: 'task.not_found' });
    } finally {
      await t?.dispose();
      t = undefined;
      rmSync(home, { recursive: true, force: true });
    }
  });
});
