// The DBOS engine against the local Postgres: workflows go through the real DBOS queue, and a second
// run of a task (a rewind, as after a human's answer) replays its recorded steps by scope key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../core/clock.js';
import { AgentdError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { openSqliteStores } from '../../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../../store/stores.js';
import { createTestDatabase } from '../../testing/postgres-test-database.js';
import type { TestDatabase } from '../../testing/postgres-test-database.js';
import type { DurableContext } from '../durable-context.js';
import { DbosConfigSchema } from '../executor-config.js';
import { openDbosHost } from './dbos-host.js';
import type { DbosHost } from './dbos-host.js';

type Workflow = (ctx: DurableContext) => Promise<unknown>;

// Each case goes through the queue twice; the machine is shared.
describe('DBOS engine', { timeout: 60_000 }, () => {
  let database: TestDatabase;
  let dir: string;
  let stores: Stores;
  let host: DbosHost;
  const workflows = new Map<string, Workflow>();
  const outcomes = new Map<string, (outcome: { value: unknown } | { error: AgentdError }) => void>();

  beforeAll(async () => {
    database = await createTestDatabase('dbos_engine');
    dir = mkdtempSync(join(tmpdir(), 'agentd-dbos-engine-'));
    stores = openSqliteStores({ path: join(dir, 'agentd.db') });
    host = await openDbosHost({
      config: DbosConfigSchema.parse({ url: database.url, executorId: 'engine-test' }),
      worker: true,
      reviews: stores.reviews,
      clock: systemClock,
      logger: silentLogger,
      deadLetter: async () => {},
    });
    host.dispatcher.serve(async (taskId) => {
      const workflow = workflows.get(taskId);
      if (!workflow) return;
      try {
        const value = await host.engine.run({ taskId, signal: new AbortController().signal }, workflow);
        outcomes.get(taskId)?.({ value });
      } catch (error) {
        outcomes.get(taskId)?.({ error: error as AgentdError });
      }
    });
  });
  afterAll(async () => {
    await host.close();
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  /** Runs (or runs again) the task's workflow through the queue and returns how it ended. */
  async function run(
    taskId: string,
    workflow: Workflow,
  ): Promise<{ value: unknown } | { error: AgentdError }> {
    workflows.set(taskId, workflow);
    const ended = new Promise<{ value: unknown } | { error: AgentdError }>((resolve) =>
      outcomes.set(taskId, resolve),
    );
    await host.dispatcher.dispatch(taskId, { afterEnd: true });
    return ended;
  }

  it('replays parallel steps by their scope key when they finish in another order on the next run', async () => {
    const executed: string[] = [];
    let pass = 0;
    const workflow: Workflow = async (ctx) => {
      pass++;
      const branches = await ctx.parallel(
        ['left', 'right'].map((side, index) => async (branch: DurableContext) => {
          const first = await branch.step(`${side}-1`, async () => {
            // The first pass finishes left first, the second right first.
            await new Promise((resolve) => setTimeout(resolve, (pass === 1 ? index : 1 - index) * 30));
            executed.push(`${side}-1`);
            return `${side}:one`;
          });
          return branch.step(`${side}-2`, async () => (executed.push(`${side}-2`), `${first}+two`));
        }),
      );
      const tail = await ctx.step('tail', async () => (executed.push('tail'), pass));
      return { branches: branches.map((b) => (b.ok ? b.value : null)), tail };
    };
    const first = await run('task_parallel', workflow);
    expect(first).toEqual({ value: { branches: ['left:one+two', 'right:one+two'], tail: 1 } });
    const second = await run('task_parallel', workflow);
    expect(second).toEqual(first);
    expect([...executed].sort()).toEqual(['left-1', 'left-2', 'right-1', 'right-2', 'tail']);
  });

  it('replays a failed step as the same failure without running it again', async () => {
    let runs = 0;
    const workflow: Workflow = (ctx) =>
      ctx.step('flaky', async () => {
        runs++;
        throw new AgentdError({ code: 'tool.not_found', message: 'no such tool' });
      });
    const first = await run('task_failed', workflow);
    const second = await run('task_failed', workflow);
    expect('error' in first && first.error.code).toBe('tool.not_found');
    expect('error' in second && second.error.code).toBe('tool.not_found');
    expect(runs).toBe(1);
  });

  it('suspends on a human wait and returns the stored answer when the task runs again', async () => {
    let before = 0;
    const workflow: Workflow = async (ctx) => {
      await ctx.step('prepare', async () => ++before);
      const answer = await ctx.waitForHuman({ kind: 'tool-approval', question: 'Run it?' });
      return answer.decision;
    };
    const first = await run('task_human', workflow);
    expect('error' in first && first.error.code).toBe('task.suspended');
    const [review] = await stores.reviews.list({ taskId: 'task_human', limit: 10 });
    expect(review?.status).toBe('pending');
    await stores.reviews.answer(
      review?.id ?? '',
      { decision: 'approve', note: null, payload: null },
      Date.now(),
    );
    const second = await run('task_human', workflow);
    expect(second).toEqual({ value: 'approve' });
    expect(before).toBe(1);
  });

  it('refuses to run a task outside its DBOS workflow', async () => {
    await expect(
      host.engine.run({ taskId: 'task_outside', signal: new AbortController().signal }, async () => 1),
    ).rejects.toMatchObject({ code: 'executor.not_in_workflow' });
  });
});
