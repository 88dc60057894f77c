import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../core/clock.js';
import { AgentdError, BudgetExceededError } from '../core/errors.js';
import type { Json } from '../core/json.js';
import type { ReviewRecord } from '../store/review-store.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../store/stores.js';
import type { DurableContext } from './durable-context.js';
import { createJournalEngine } from './journal-engine.js';
import { TaskSuspendedError } from './task-suspended.js';

/** Lets `n` macrotasks pass, so concurrent branches interleave differently. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('journal engine', () => {
  let dir: string;
  let stores: Stores;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentd-journal-'));
    stores = openSqliteStores({ path: join(dir, 'agentd.db') });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const signal = () => new AbortController().signal;
  const engineOf = () =>
    createJournalEngine({ journal: stores.journal, reviews: stores.reviews, clock: systemClock });
  const journaled = async (taskId: string) =>
    (await stores.journal.list(taskId)).map((s) => [s.key, s.name, s.status]).sort();

  it('runs each step once and replays journaled outputs on a second run of the same task', async () => {
    const engine = engineOf();
    const executed: string[] = [];
    const workflow = async (ctx: DurableContext) => {
      const a = await ctx.step('a', async () => (executed.push('a'), { n: 1 }));
      const b = await ctx.step('b', async () => (executed.push('b'), [a, 'two']));
      return b;
    };
    const first = await engine.run({ taskId: 't1', signal: signal() }, workflow);
    const second = await engine.run({ taskId: 't1', signal: signal() }, workflow);
    expect(second).toEqual(first);
    expect(executed).toEqual(['a', 'b']);
    expect((await stores.journal.list('t1')).map((s) => [s.key, s.name, s.status])).toEqual([
      ['1', 'a', 'completed'],
      ['2', 'b', 'completed'],
    ]);
  });

  it("commits a step's queued ledger settlement with its journal record, and fails the step when it fails", async () => {
    const engine = engineOf();
    const row = {
      id: 'cost_1',
      taskId: 't1',
      agent: 'a',
      modelId: 'm',
      provider: 'p',
      inputTokens: 10,
      outputTokens: 4096,
      costUsd: 1,
      source: 'estimated' as const,
      status: 'pending' as const,
      createdAt: 1,
    };
    await stores.ledger.record(row);
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) =>
      ctx.step('call', async ({ commitWith }) => {
        commitWith(
          stores.ledger.settle('cost_1', {
            inputTokens: 10,
            outputTokens: 5,
            costUsd: 0.1,
            source: 'measured',
          }),
        );
        return 'answer';
      }),
    );
    expect((await stores.ledger.listByTask('t1'))[0]).toMatchObject({ status: 'settled', costUsd: 0.1 });
    expect(await journaled('t1')).toEqual([['1', 'call', 'completed']]);

    const failed = engine.run({ taskId: 't2', signal: signal() }, (ctx) =>
      ctx.step('call', async ({ commitWith }) => {
        commitWith(Promise.reject(new AgentdError({ code: 'internal.error', message: 'disk full' })));
        return 'answer';
      }),
    );
    await expect(failed).rejects.toThrow('disk full');
  });

  it('reports replayed steps to the hooks with their journaled output', async () => {
    const engine = engineOf();
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) => ctx.step('a', async () => 'out'));
    const seen: unknown[] = [];
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) =>
      ctx.step('a', async () => 'never', {
        onStart: (key) => seen.push(key),
        onEnd: (info) => seen.push(info),
      }),
    );
    expect(seen).toEqual(['1', { key: '1', replayed: true, output: 'out' }]);
  });

  it('refuses a resume whose steps differ from the journal', async () => {
    const engine = engineOf();
    await engine.run({ taskId: 't1', signal: signal() }, (ctx) => ctx.step('a', async () => 1));
    await expect(
      engine.run({ taskId: 't1', signal: signal() }, (ctx) => ctx.step('b', async () => 2)),
    ).rejects.toMatchObject({ code: 'journal.nondeterministic' });
  });

  it('journals a failed step and replays the failure without running it again', async () => {
    const engine = engineOf();
    let runs = 0;
    const workflow = (ctx: DurableContext) =>
      ctx.step('boom', async () => {
        runs++;
        throw new AgentdError({ code: 'tool.invalid_input', message: 'broken' });
      });
    await expect(engine.run({ taskId: 't1', signal: signal() }, workflow)).rejects.toMatchObject({
      code: 'tool.invalid_input',
    });
    await expect(engine.run({ taskId: 't1', signal: signal() }, workflow)).rejects.toMatchObject({
      code: 'tool.invalid_input',
    });
    expect(runs).toBe(1);
    expect(await journaled('t1')).toEqual([['1', 'boom', 'failed']]);
  });

  it('does not journal a step cut short by cancellation, so a resume runs it', async () => {
    const engine = engineOf();
    const controller = new AbortController();
    const run = engine.run({ taskId: 't1', signal: controller.signal }, (ctx) =>
      ctx.step('slow', ({ signal: stepSignal }) => {
        controller.abort(new Error('stop'));
        stepSignal.throwIfAborted();
        return Promise.resolve(1);
      }),
    );
    await expect(run).rejects.toThrow();
    expect(await stores.journal.list('t1')).toEqual([]);
  });

  it('does not journal a step that runs out of budget, so a resume runs it again', async () => {
    const engine = engineOf();
    let runs = 0;
    const workflow = (ctx: DurableContext) =>
      ctx.step('spend', async () => {
        runs++;
        throw new BudgetExceededError({ message: 'x' });
      });
    await expect(engine.run({ taskId: 't1', signal: signal() }, workflow)).rejects.toMatchObject({
      code: 'budget.exceeded',
    });
    expect(await stores.journal.list('t1')).toEqual([]);
    await expect(engine.run({ taskId: 't1', signal: signal() }, workflow)).rejects.toMatchObject({
      code: 'budget.exceeded',
    });
    expect(runs).toBe(2);
  });

  describe('scopes', () => {
    it('prefixes step keys with the scope path and keeps them stable across runs', async () => {
      const engine = engineOf();
      const executed: string[] = [];
      const keys: string[] = [];
      const step = (ctx: DurableContext, name: string) =>
        ctx.step(name, async ({ key }) => (executed.push(name), keys.push(key), `${name}@${key}`));
      const workflow = async (ctx: DurableContext) => {
        const inner = ctx.scope('s');
        return [
          await step(ctx, 'a'),
          await step(inner, 'b'),
          await step(inner.scope('t'), 'c'),
          await step(inner, 'd'),
          await step(ctx, 'e'),
        ];
      };
      const first = await engine.run({ taskId: 't1', signal: signal() }, workflow);
      expect(keys).toEqual(['1', 's/1', 's/t/1', 's/2', '2']);
      expect(first).toEqual(['a@1', 'b@s/1', 'c@s/t/1', 'd@s/2', 'e@2']);

      const second = await engine.run({ taskId: 't1', signal: signal() }, workflow);
      expect(second).toEqual(first);
      expect(executed).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await journaled('t1')).toEqual(
        [
          ['1', 'a', 'completed'],
          ['s/1', 'b', 'completed'],
          ['s/t/1', 'c', 'completed'],
          ['s/2', 'd', 'completed'],
          ['2', 'e', 'completed'],
        ].sort(),
      );
    });

    it('throws journal.invalid_scope when a scope name is reused or contains a slash', async () => {
      const engine = engineOf();
      await engine.run({ taskId: 't1', signal: signal() }, async (ctx) => {
        const s = ctx.scope('s');
        expect(s.path).toBe('s/');
        expect(() => ctx.scope('s')).toThrow(expect.objectContaining({ code: 'journal.invalid_scope' }));
        expect(() => ctx.scope('a/b')).toThrow(expect.objectContaining({ code: 'journal.invalid_scope' }));
        // The same name in another scope is fine.
        expect(s.scope('s').path).toBe('s/s/');
      });
    });
  });

  describe('parallel', () => {
    it('gives each branch its own scope, so branches finishing in another order replay their own outputs', async () => {
      const engine = engineOf();
      const executed: string[] = [];
      const order: string[] = [];
      const branch =
        (id: string, delays: readonly number[]) =>
        async (ctx: DurableContext): Promise<Json> => {
          const out: Json[] = [];
          for (const [i, delay] of delays.entries()) {
            await ticks(delay);
            out.push(
              await ctx.step(`step-${i}`, async ({ key }) => {
                executed.push(`${id}:${i}`);
                return `${id}:${i}@${key}`;
              }),
            );
            order.push(`${id}:${i}`);
          }
          return out;
        };
      // Run 1: branch 0 is slow, branch 1 fast. Run 2: the other way round.
      const workflow = (slow: 0 | 1) => async (ctx: DurableContext) => {
        const before = await ctx.step('before', async () => (executed.push('before'), 'b'));
        const results = await ctx.parallel([
          branch('x', slow === 0 ? [10, 10] : [0, 0]),
          branch('y', slow === 1 ? [10, 10] : [0, 0]),
        ]);
        const after = await ctx.step('after', async ({ key }) => (executed.push('after'), key));
        return { before, results, after } as const;
      };

      const first = await engine.run({ taskId: 't1', signal: signal() }, workflow(0));
      expect(order).toEqual(['y:0', 'y:1', 'x:0', 'x:1']);
      expect(first).toEqual({
        before: 'b',
        results: [
          { ok: true, value: ['x:0@2.0/1', 'x:1@2.0/2'] },
          { ok: true, value: ['y:0@2.1/1', 'y:1@2.1/2'] },
        ],
        after: '3',
      });
      const executedFirst = [...executed];

      order.length = 0;
      const second = await engine.run({ taskId: 't1', signal: signal() }, workflow(1));
      expect(order).toEqual(['x:0', 'x:1', 'y:0', 'y:1']);
      expect(second).toEqual(first);
      expect(executed).toEqual(executedFirst);
      expect(executed).toHaveLength(6);
    });

    it('returns a failing branch as ok:false while the others succeed', async () => {
      const engine = engineOf();
      const results = await engine.run({ taskId: 't1', signal: signal() }, (ctx) =>
        ctx.parallel<string>([
          (c) => c.step('fine', async () => 'one'),
          (c) =>
            c.step('broken', async () => {
              throw new AgentdError({ code: 'tool.invalid_input', message: 'broken' });
            }),
          async () => {
            throw new Error('plain');
          },
          async () => 'three',
        ]),
      );
      expect(results).toMatchObject([
        { ok: true, value: 'one' },
        { ok: false, error: { code: 'tool.invalid_input' } },
        { ok: false, error: { code: 'internal.error' } },
        { ok: true, value: 'three' },
      ]);
      expect(results[1]?.ok === false && results[1].error).toBeInstanceOf(AgentdError);
    });

    it('rethrows budget.exceeded from a branch once the other branches have finished', async () => {
      const engine = engineOf();
      const finished: string[] = [];
      const run = engine.run({ taskId: 't1', signal: signal() }, (ctx) =>
        ctx.parallel<string>([
          async () => {
            throw new BudgetExceededError({ message: 'x' });
          },
          async (c) => {
            await ticks(10);
            const out = await c.step('slow', async () => 'done');
            finished.push(out);
            return out;
          },
        ]),
      );
      await expect(run).rejects.toBeInstanceOf(BudgetExceededError);
      await expect(run).rejects.toMatchObject({ code: 'budget.exceeded', message: 'x' });
      expect(finished).toEqual(['done']);
      expect(await journaled('t1')).toEqual([['1.1/1', 'slow', 'completed']]);
    });

    it('prefers cancellation over budget over suspension when several branches end the task', async () => {
      const engine = engineOf();
      await expect(
        engine.run({ taskId: 't1', signal: signal() }, (ctx) =>
          ctx.parallel([
            async () => {
              throw new TaskSuspendedError('rev_1');
            },
            async () => {
              throw new BudgetExceededError({ message: 'budget' });
            },
            async () => {
              throw new AgentdError({ code: 'task.cancelled', message: 'cancelled' });
            },
          ]),
        ),
      ).rejects.toMatchObject({ code: 'task.cancelled' });
    });

    it('rethrows the abort reason when the task signal is aborted', async () => {
      const engine = engineOf();
      const controller = new AbortController();
      const reason = new AgentdError({ code: 'task.interrupted', message: 'shutdown' });
      await expect(
        engine.run({ taskId: 't1', signal: controller.signal }, (ctx) =>
          ctx.parallel([
            async () => {
              controller.abort(reason);
              return 1;
            },
          ]),
        ),
      ).rejects.toBe(reason);
    });
  });

  describe('waitForHuman', () => {
    const request = { kind: 'tool-approval', question: 'May I run rm?', payload: { tool: 'rm' } };

    it('suspends until answered, then returns the answer and continues after it', async () => {
      const engine = engineOf();
      const executed: string[] = [];
      const onRequested = vi.fn<(review: ReviewRecord) => void>();
      const workflow = async (ctx: DurableContext) => {
        const before = await ctx.step('before', async () => (executed.push('before'), 'b'));
        const answer = await ctx.waitForHuman(request, { onRequested });
        const after = await ctx.step('after', async () => (executed.push('after'), answer.decision));
        return { before, answer, after };
      };

      // First run: a review is opened and the task suspends.
      const first = await engine.run({ taskId: 't1', signal: signal() }, workflow).catch((e: unknown) => e);
      expect(first).toBeInstanceOf(TaskSuspendedError);
      const reviewId = (first as TaskSuspendedError).reviewId;
      expect(first).toMatchObject({ code: 'task.suspended', details: { reviewId } });
      const review = await stores.reviews.get(reviewId);
      expect(review).toMatchObject({
        id: reviewId,
        taskId: 't1',
        stepKey: '2',
        kind: 'tool-approval',
        question: 'May I run rm?',
        payload: { tool: 'rm' },
        status: 'pending',
        answer: null,
      });
      expect(onRequested).toHaveBeenCalledTimes(1);
      expect(onRequested).toHaveBeenCalledWith(expect.objectContaining({ id: reviewId }));

      // Re-run while pending: suspends on the same review, no new review, no new notification.
      const again = await engine.run({ taskId: 't1', signal: signal() }, workflow).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(TaskSuspendedError);
      expect((again as TaskSuspendedError).reviewId).toBe(reviewId);
      expect(await stores.reviews.list({ taskId: 't1', limit: 10 })).toHaveLength(1);
      expect(onRequested).toHaveBeenCalledTimes(1);
      expect(executed).toEqual(['before']);

      // Answered: the re-run returns the answer, replays `before` and runs `after`.
      expect(
        await stores.reviews.answer(reviewId, { decision: 'edit', note: 'n', payload: { x: 1 } }, Date.now()),
      ).not.toBeNull();
      const resumed = await engine.run({ taskId: 't1', signal: signal() }, workflow);
      const answer = { reviewId, decision: 'edit', note: 'n', payload: { x: 1 } };
      expect(resumed).toEqual({ before: 'b', answer, after: 'edit' });
      expect(executed).toEqual(['before', 'after']);
      expect(onRequested).toHaveBeenCalledTimes(1);

      // The answered wait is journaled as a completed step named human:<kind>.
      const steps = await stores.journal.list('t1');
      expect(steps.map((s) => [s.key, s.name, s.status])).toEqual([
        ['1', 'before', 'completed'],
        ['2', 'human:tool-approval', 'completed'],
        ['3', 'after', 'completed'],
      ]);
      expect(steps[1]?.output).toEqual(answer);

      // Another run replays everything, the answer included.
      expect(await engine.run({ taskId: 't1', signal: signal() }, workflow)).toEqual(resumed);
      expect(executed).toEqual(['before', 'after']);
    });
  });

  describe('maxSteps', () => {
    it('throws loop.step_limit on the step after the limit', async () => {
      const engine = engineOf();
      const executed: string[] = [];
      const run = engine.run({ taskId: 't1', signal: signal(), maxSteps: 2 }, async (ctx) => {
        for (const name of ['a', 'b', 'c']) await ctx.step(name, async () => (executed.push(name), name));
      });
      await expect(run).rejects.toMatchObject({ code: 'loop.step_limit', details: { maxSteps: 2 } });
      expect(executed).toEqual(['a', 'b']);
      expect(await journaled('t1')).toEqual([
        ['1', 'a', 'completed'],
        ['2', 'b', 'completed'],
      ]);
    });

    it('counts replayed steps toward the limit', async () => {
      const engine = engineOf();
      const executed: string[] = [];
      const workflow = (names: readonly string[]) => async (ctx: DurableContext) => {
        for (const name of names) await ctx.step(name, async () => (executed.push(name), name));
        return 'ok';
      };
      expect(await engine.run({ taskId: 't1', signal: signal() }, workflow(['a', 'b']))).toBe('ok');
      await expect(
        engine.run({ taskId: 't1', signal: signal(), maxSteps: 2 }, workflow(['a', 'b', 'c'])),
      ).rejects.toMatchObject({ code: 'loop.step_limit' });
      expect(executed).toEqual(['a', 'b']);
      expect(await journaled('t1')).toHaveLength(2);
    });
  });

  describe('at-most-once steps', () => {
    /** A step with side effects: `effects` counts its real runs; the first run is cut off mid-step. */
    function sideEffect(onInterrupted: 'review' | 'fail') {
      const effects: string[] = [];
      const workflow = (cutOff: AbortController | undefined) => async (ctx: DurableContext) =>
        ctx.step<string>(
          'tool:a:send',
          async () => {
            effects.push('sent');
            if (cutOff) {
              cutOff.abort(new AgentdError({ code: 'task.interrupted', message: 'process stopping' }));
              throw cutOff.signal.reason;
            }
            return 'sent';
          },
          undefined,
          {
            atMostOnce: {
              onInterrupted,
              error: () => new AgentdError({ code: 'tool.interrupted', message: 'send was cut off' }),
              review: { kind: 'tool-interrupted', question: 'run send again?' },
              decide: (answer) =>
                answer.decision === 'approve' ? { rerun: true } : { output: `human: ${answer.note ?? ''}` },
            },
          },
        );
      return { effects, workflow };
    }

    async function cutOffOnce(taskId: string, step: ReturnType<typeof sideEffect>): Promise<void> {
      const cutOff = new AbortController();
      await expect(
        engineOf().run({ taskId, signal: cutOff.signal }, step.workflow(cutOff)),
      ).rejects.toMatchObject({ code: 'task.interrupted' });
      expect(await stores.journal.listStarted(taskId)).toMatchObject([{ key: '1', name: 'tool:a:send' }]);
      expect(await journaled(taskId)).toEqual([]);
    }

    it('asks a human instead of running a step cut off mid-run again, and follows the answer', async () => {
      const step = sideEffect('review');
      await cutOffOnce('t1', step);
      const suspended = engineOf().run({ taskId: 't1', signal: signal() }, step.workflow(undefined));
      await expect(suspended).rejects.toBeInstanceOf(TaskSuspendedError);
      expect(step.effects).toEqual(['sent']);
      const review = await stores.reviews.getByStep('t1', '1');
      expect(review).toMatchObject({ kind: 'tool-interrupted', status: 'pending' });
      // Still unanswered: suspends again, with the same review.
      await expect(
        engineOf().run({ taskId: 't1', signal: signal() }, step.workflow(undefined)),
      ).rejects.toBeInstanceOf(TaskSuspendedError);
      expect(await stores.reviews.list({ taskId: 't1', limit: 10 })).toHaveLength(1);

      await stores.reviews.answer(review?.id ?? '', { decision: 'approve', note: null, payload: null }, 1);
      expect(await engineOf().run({ taskId: 't1', signal: signal() }, step.workflow(undefined))).toBe('sent');
      expect(step.effects).toEqual(['sent', 'sent']);
    });

    it('asks again when the approved re-run is cut off in turn', async () => {
      const step = sideEffect('review');
      await cutOffOnce('t1', step);
      const resume = (cutOff?: AbortController) =>
        engineOf().run(
          { taskId: 't1', signal: (cutOff ?? new AbortController()).signal },
          step.workflow(cutOff),
        );
      await expect(resume()).rejects.toBeInstanceOf(TaskSuspendedError);
      const first = await stores.reviews.getByStep('t1', '1');
      await stores.reviews.answer(first?.id ?? '', { decision: 'approve', note: null, payload: null }, 1);
      // The approved re-run dies mid-step as well.
      await expect(resume(new AbortController())).rejects.toMatchObject({ code: 'task.interrupted' });
      expect(step.effects).toEqual(['sent', 'sent']);

      await expect(resume()).rejects.toBeInstanceOf(TaskSuspendedError);
      expect(step.effects).toEqual(['sent', 'sent']);
      const second = await stores.reviews.getByStep('t1', '1#1');
      expect(second).toMatchObject({ kind: 'tool-interrupted', status: 'pending' });
      await stores.reviews.answer(second?.id ?? '', { decision: 'approve', note: null, payload: null }, 2);
      expect(await resume()).toBe('sent');
      expect(step.effects).toEqual(['sent', 'sent', 'sent']);
      expect(await journaled('t1')).toEqual([['1', 'tool:a:send', 'completed']]);
    });

    it('journals the human answer as the output when the step is not to run again', async () => {
      const step = sideEffect('review');
      await cutOffOnce('t1', step);
      await expect(
        engineOf().run({ taskId: 't1', signal: signal() }, step.workflow(undefined)),
      ).rejects.toBeInstanceOf(TaskSuspendedError);
      const review = await stores.reviews.getByStep('t1', '1');
      await stores.reviews.answer(
        review?.id ?? '',
        { decision: 'reject', note: 'done by hand', payload: null },
        1,
      );
      const run = () => engineOf().run({ taskId: 't1', signal: signal() }, step.workflow(undefined));
      expect(await run()).toBe('human: done by hand');
      expect(await run()).toBe('human: done by hand');
      expect(step.effects).toEqual(['sent']);
      expect(await journaled('t1')).toEqual([['1', 'tool:a:send', 'completed']]);
    });

    it('fails the step, durably, when so configured', async () => {
      const step = sideEffect('fail');
      await cutOffOnce('t1', step);
      for (let i = 0; i < 2; i++) {
        await expect(
          engineOf().run({ taskId: 't1', signal: signal() }, step.workflow(undefined)),
        ).rejects.toMatchObject({ code: 'tool.interrupted' });
      }
      expect(step.effects).toEqual(['sent']);
      expect(await journaled('t1')).toEqual([['1', 'tool:a:send', 'failed']]);
    });

    it('marks only at-most-once steps, and runs a plain step cut off mid-run again', async () => {
      const effects: string[] = [];
      const workflow = (cutOff?: AbortController) => (ctx: DurableContext) =>
        ctx.step('tool:a:read', async () => {
          effects.push('read');
          if (cutOff) throw (cutOff.abort(), cutOff.signal.reason);
          return 'read';
        });
      const cutOff = new AbortController();
      await expect(
        engineOf().run({ taskId: 't1', signal: cutOff.signal }, workflow(cutOff)),
      ).rejects.toThrow();
      expect(await stores.journal.listStarted('t1')).toEqual([]);
      expect(await engineOf().run({ taskId: 't1', signal: signal() }, workflow())).toBe('read');
      expect(effects).toEqual(['read', 'read']);
    });
  });
});
