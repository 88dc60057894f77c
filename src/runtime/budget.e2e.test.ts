import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TaskResult } from '../executor/index.js';
import type { CostRecord } from '../store/ledger-store.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import { createFakeLanguageModel, createFakeProvider } from '../testing/fake-language-model.js';
import type { FakeLanguageModel, FakeTurn } from '../testing/fake-language-model.js';
import { createTestRuntime, FAKE_PRICES } from '../testing/test-runtime.js';
import type { TestRuntime } from '../testing/test-runtime.js';
import { until } from '../testing/until.js';
import type { TaskInput } from '../pipeline/index.js';

// Budgets end to end: a real runtime (SQLite ledger, journal, native agent loop, topologies) with
// the scripted fake model priced at $1 / $2 per million input / output tokens.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function testRuntime(options: Parameters<typeof createTestRuntime>[0]): Promise<TestRuntime> {
  const t = await createTestRuntime(options);
  cleanups.push(() => t.dispose());
  return t;
}

function fakeCost(inputTokens: number, outputTokens: number): number {
  return (inputTokens * FAKE_PRICES.inputPerMTok + outputTokens * FAKE_PRICES.outputPerMTok) / 1_000_000;
}

/**
 * Every call reports 1000 + 1000 tokens ($0.003). Agents cap output at 1000 tokens, so a call
 * reserves a little over $0.002 and 1000 tokens (its short prompt plus the output cap): two calls
 * fit in $0.007 / 5000 tokens / 2 calls, a third does not.
 */
const USAGE = { inputTokens: 1000, outputTokens: 1000 };
const CALL_USD = fakeCost(1000, 1000);
const TWO_CALLS = { usd: 0.007, tokens: 5000, modelCalls: 2 } as const;

function answers(prefix = 'out'): (call: { index: number }) => FakeTurn {
  return ({ index }) => ({ text: `${prefix} ${index}`, usage: USAGE });
}

/** A sequential team (hand-off `last`) of tool-less agents capped at 1000 output tokens. */
function sequentialTeam(names: string[], extra: Partial<NonNullable<TaskInput['team']>> = {}) {
  return {
    name: 'team',
    topology: 'sequential' as const,
    options: { handoff: 'last' },
    agents: names.map((name) => ({ name, tools: [], maxOutputTokens: 1000 })),
    ...extra,
  };
}

async function ledgerRows(home: string, taskId: string): Promise<CostRecord[]> {
  const stores = openSqliteStores({ path: join(home, 'agentd.db') });
  try {
    return await stores.ledger.listByTask(taskId);
  } finally {
    await stores.close();
  }
}

function sum(rows: CostRecord[]): number {
  return rows.reduce((total, row) => total + row.costUsd, 0);
}

/** A task that ran out of budget after a and b: what every limit source must produce. */
async function expectStoppedAfterTwoAgents(
  t: TestRuntime,
  result: TaskResult,
  limit: 'usd' | 'tokens' | 'modelCalls',
): Promise<void> {
  expect(result.status).toBe('failed');
  expect(result.error?.code).toBe('budget.exceeded');
  expect(result.error?.message).toMatch(/^task budget: /);
  expect(result.error?.message).toContain(`(${limit})`);
  expect(result.partial).toEqual([
    { agent: 'a', output: 'out 0' },
    { agent: 'b', output: 'out 1' },
  ]);
  // Reservation before dispatch: the third call was refused, never sent.
  expect(t.model.calls).toHaveLength(2);
  const rows = await ledgerRows(t.home, result.id);
  expect(rows.map((r) => r.agent)).toEqual(['a', 'b']);
  expect(result.modelCalls).toBe(2);
  expect(result.cost.usd).toBeCloseTo(sum(rows), 12);
  expect(result.cost.usd).toBeCloseTo(2 * CALL_USD, 12);
}

describe('task budget limits through the runtime', () => {
  describe.each(['usd', 'tokens', 'modelCalls'] as const)('the %s limit', (limit) => {
    const limits = { [limit]: TWO_CALLS[limit] };

    it('from the request ends a sequential team mid-run with budget.exceeded, the partial outputs and the spend', async () => {
      const t = await testRuntime({ script: answers() });
      const result = await t.runtime.tasks.run({
        prompt: 'three steps',
        team: sequentialTeam(['a', 'b', 'c']),
        budget: limits,
      });
      await expectStoppedAfterTwoAgents(t, result, limit);
    });

    it("from the team file's budget ends the team the same way", async () => {
      const t = await testRuntime({ script: answers() });
      const result = await t.runtime.tasks.run({
        prompt: 'three steps',
        team: sequentialTeam(['a', 'b', 'c'], { budget: limits }),
      });
      await expectStoppedAfterTwoAgents(t, result, limit);
    });

    it('from the configured budget.task ends the team the same way', async () => {
      const t = await testRuntime({ script: answers(), config: { budget: { task: limits } } });
      const result = await t.runtime.tasks.run({
        prompt: 'three steps',
        team: sequentialTeam(['a', 'b', 'c']),
      });
      await expectStoppedAfterTwoAgents(t, result, limit);
    });
  });

  it.each([
    { config: 1, team: 2, request: 3 },
    { config: 3, team: 1, request: 2 },
    { config: 2, team: 3, request: 1 },
  ])(
    'applies the tightest of the configured, team and request limits (config $config, team $team, request $request calls)',
    async (calls) => {
      const t = await testRuntime({
        script: answers(),
        config: { budget: { task: { modelCalls: calls.config } } },
      });
      const result = await t.runtime.tasks.run({
        prompt: 'four steps',
        team: sequentialTeam(['a', 'b', 'c', 'd'], { budget: { modelCalls: calls.team } }),
        budget: { modelCalls: calls.request },
      });
      expect(result.error?.code).toBe('budget.exceeded');
      expect(result.error?.message).toContain('limit of 1 calls (modelCalls)');
      expect(t.model.calls).toHaveLength(1);
      expect(result.partial).toEqual([{ agent: 'a', output: 'out 0' }]);
    },
  );

  it('lets a team finish whose calls all fit its limits', async () => {
    const t = await testRuntime({ script: answers() });
    const result = await t.runtime.tasks.run({
      prompt: 'two steps',
      team: sequentialTeam(['a', 'b']),
      budget: TWO_CALLS,
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'out 1', modelCalls: 2 });
  });
});

describe('reservation before dispatch', () => {
  it('refuses a call whose worst case (its maxOutputTokens) does not fit, though its actual cost would have', async () => {
    const t = await testRuntime({ script: [{ text: 'tiny', usage: { inputTokens: 10, outputTokens: 10 } }] });
    // 100 000 output tokens may cost $0.20 at $2 per million: over the $0.10 limit.
    const refused = await t.runtime.tasks.run({
      prompt: 'short answer please',
      agent: { name: 'a', tools: [], maxOutputTokens: 100_000 },
      budget: { usd: 0.1 },
    });
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('budget.exceeded');
    expect(refused.error?.message).toContain(
      'for this call (worst case) would pass the limit of $0.1000 (usd)',
    );
    expect(refused.cost.usd).toBe(0);
    expect(t.model.calls).toHaveLength(0);

    // The same call with a worst case that fits runs, and the model is held to that cap.
    const allowed = await t.runtime.tasks.run({
      prompt: 'short answer please',
      agent: { name: 'a', tools: [], maxOutputTokens: 1000 },
      budget: { usd: 0.1 },
    });
    expect(allowed).toMatchObject({ status: 'succeeded', output: 'tiny' });
    expect(allowed.cost.usd).toBeCloseTo(fakeCost(10, 10), 12);
    expect(t.model.calls.map((c) => c.options.maxOutputTokens)).toEqual([1000]);
  });

  it('reserves budget.defaultMaxOutputTokens for an agent that sets no output cap', async () => {
    const t = await testRuntime({
      script: [{ text: 'tiny', usage: { inputTokens: 10, outputTokens: 10 } }],
      config: { budget: { defaultMaxOutputTokens: 100_000 } },
    });
    const result = await t.runtime.tasks.run({
      prompt: 'short answer please',
      agent: { name: 'a', tools: [] },
      budget: { usd: 0.1 },
    });
    expect(result.error?.code).toBe('budget.exceeded');
    expect(t.model.calls).toHaveLength(0);
  });
});

describe('the wall-time limit', () => {
  it('aborts a model call that never answers once the running time passes wallTimeMs', async () => {
    const t = await testRuntime({
      script: ({ index }) => (index === 0 ? { text: 'a done', usage: USAGE } : { waitFor: 'forever' }),
    });
    // The task's clock and its timers are the test's: the limit can be seen not to fire early, then to fire.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    cleanups.push(() => void vi.useRealTimers());
    const submitted = await t.runtime.tasks.submit({
      prompt: 'two steps',
      team: sequentialTeam(['a', 'b']),
      budget: { wallTimeMs: 300 },
    });
    await until(() => t.model.calls.length === 2, { message: "b's model call" });
    await vi.advanceTimersByTimeAsync(299);
    expect(t.model.calls[1]?.options.abortSignal?.aborted).toBe(false);
    expect((await t.runtime.tasks.get(submitted.id)).status).toBe('running');
    await vi.advanceTimersByTimeAsync(1);
    const result = await t.runtime.tasks.wait(submitted.id);
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('budget.exceeded');
    expect(result.error?.message).toContain('(wallTimeMs)');
    expect(result.partial).toEqual([{ agent: 'a', output: 'a done' }]);
    expect(result.cost.usd).toBeCloseTo(CALL_USD, 12);
    expect(t.model.calls).toHaveLength(2);
    expect(t.model.calls[1]?.options.abortSignal?.aborted).toBe(true);
    expect(result.timings.durationMs).toBe(300);
  });
});

describe('budgets across restarts', () => {
  it('keeps the spend of a task interrupted by a restart against its limit when it resumes', async () => {
    const first = await createTestRuntime({
      script: ({ index }) => (index === 0 ? { text: 'out 0', usage: USAGE } : { waitFor: 'forever' }),
    });
    cleanups.push(() => rmSync(first.home, { recursive: true, force: true }));
    const submitted = await first.runtime.tasks.submit({
      prompt: 'three steps',
      team: sequentialTeam(['a', 'b', 'c']),
      budget: { usd: TWO_CALLS.usd },
    });
    await until(() => first.model.calls.length === 2, { message: "b's model call" });
    // Closing interrupts the task mid-call (b), leaving it `running` as a crash would.
    await first.runtime.close();

    const second = await testRuntime({
      home: first.home,
      script: ({ index }) => ({ text: `out ${index + 1}`, usage: USAGE }),
      runtime: { resume: true },
    });
    const result = await second.runtime.tasks.wait(submitted.id);
    // A fresh budget would have let c run ($0.003 spent + ~$0.0021 reserved < $0.007): the $0.003
    // spent before the restart is what refuses it.
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('budget.exceeded');
    expect(result.error?.message).toContain('$0.006000 spent');
    expect(second.model.calls).toHaveLength(1);
    expect(result.partial).toEqual([
      { agent: 'a', output: 'out 0' },
      { agent: 'b', output: 'out 1' },
    ]);
    expect(result.cost.usd).toBeCloseTo(2 * CALL_USD, 12);
  });

  it("counts earlier tasks' spend from the ledger against the daily limit in a new runtime", async () => {
    const config = { budget: { dailyUsd: 0.005 } };
    const agent = { name: 'a', tools: [], maxOutputTokens: 1000 };
    const first = await createTestRuntime({ script: answers(), config });
    cleanups.push(() => rmSync(first.home, { recursive: true, force: true }));
    const spent = await first.runtime.tasks.run({ prompt: 'spend some', agent });
    expect(spent.status).toBe('succeeded');
    expect(spent.cost.usd).toBeCloseTo(CALL_USD, 12);
    await first.runtime.close();

    const second = await testRuntime({ home: first.home, script: answers(), config });
    // $0.003 spent today + ~$0.0021 worst case > $0.005.
    const refused = await second.runtime.tasks.run({ prompt: 'spend more', agent });
    expect(refused.status).toBe('failed');
    expect(refused.error?.code).toBe('budget.exceeded');
    expect(refused.error?.message).toMatch(/^daily budget: \$0\.003000 spent \+ .* \(usd\)$/);
    expect(second.model.calls).toHaveLength(0);

    // What is left of the day still admits a call that fits in it.
    const small = await second.runtime.tasks.run({
      prompt: 'spend a little',
      agent: { ...agent, maxOutputTokens: 500 },
    });
    expect(small.status).toBe('succeeded');
    expect(second.model.calls).toHaveLength(1);
  });
});

describe('child runs', () => {
  /** A lead that delegates to the `research` sub-team, whose own budget is loose. */
  function delegatingTeam(subteamBudget: NonNullable<TaskInput['budget']>) {
    return {
      name: 'team',
      topology: 'single' as const,
      options: {},
      agents: [{ name: 'lead', tools: [], maxOutputTokens: 1000, delegates: ['research'] }],
      subteams: {
        research: {
          name: 'research',
          topology: 'single' as const,
          options: {},
          agents: [{ name: 'r', tools: [], maxOutputTokens: 2000 }],
          budget: subteamBudget,
        },
      },
    };
  }

  const delegatingScript = ({ index }: { index: number }): FakeTurn =>
    index === 0
      ? { toolCalls: [{ toolName: 'delegate', input: { to: 'research', task: 'find facts' } }], usage: USAGE }
      : { text: index === 1 ? 'facts' : 'report', usage: USAGE };

  it("refuses a delegation when the parent's remaining budget is too small, even if the sub-team's own budget is bigger", async () => {
    // Worst-case reservations: the learned output length (the lead's 1000 tokens) would fit.
    const t = await testRuntime({ script: delegatingScript, config: { budget: { reserveOutput: 'cap' } } });
    // After the lead's $0.003, $0.003 remains; the sub-team's call may cost over $0.004.
    const result = await t.runtime.tasks.run({
      prompt: 'research and report',
      team: delegatingTeam({ usd: 10 }),
      budget: { usd: 0.006 },
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('budget.exceeded');
    expect(result.error?.message).toMatch(/^task budget: .* \(usd\)$/);
    expect(t.model.calls).toHaveLength(1);
    expect(result.cost.usd).toBeCloseTo(CALL_USD, 12);
  });

  it('runs the same delegation when the parent has enough left', async () => {
    const t = await testRuntime({ script: delegatingScript });
    const result = await t.runtime.tasks.run({
      prompt: 'research and report',
      team: delegatingTeam({ usd: 10 }),
      budget: { usd: 1 },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'report', modelCalls: 3 });
    expect(t.model.calls[2]?.promptText).toContain('facts');
  });

  it("charges a child run's spend to its parent: the parent's next call is refused", async () => {
    const t = await testRuntime({ script: delegatingScript });
    const result = await t.runtime.tasks.run({
      prompt: 'research and report',
      team: delegatingTeam({ modelCalls: 10 }),
      budget: { modelCalls: 2 },
    });
    expect(result.error?.code).toBe('budget.exceeded');
    expect(result.error?.message).toMatch(/^task budget: 2 calls spent .* \(modelCalls\)$/);
    expect((await ledgerRows(t.home, result.id)).map((r) => r.agent)).toEqual(['lead', 'r']);
    expect(t.model.calls).toHaveLength(2);
  });
});

describe('concurrent agents against one cap (property)', () => {
  interface PlannedCall {
    fail: boolean;
    inputTokens: number;
    outputTokens: number;
    delayMs: number;
  }
  const MAX_OUTPUT = 1000;
  const plannedCall = fc.record({
    fail: fc.nat(4).map((n) => n === 0),
    // Every prompt reserves at least 4 input tokens (one message), so up to 4 stays within it.
    inputTokens: fc.integer({ min: 0, max: 4 }),
    outputTokens: fc.integer({ min: 0, max: MAX_OUTPUT }),
    delayMs: fc.integer({ min: 0, max: 3 }),
  });

  it('never spends past the cap, ends succeeded or with budget.exceeded, and leaks no reservation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 50 }),
        fc.array(plannedCall, { minLength: 50, maxLength: 50 }),
        fc.integer({ min: 1, max: 150 }),
        async (agents, plan, capMillis) => {
          const cap = capMillis / 1000;
          let failures = 0;
          const t = await createTestRuntime({
            script: async ({ index }): Promise<FakeTurn> => {
              const call = plan[index % plan.length] as PlannedCall;
              await new Promise((resolve) => setTimeout(resolve, call.delayMs));
              if (call.fail) {
                failures++;
                return { error: new Error('provider exploded') };
              }
              return {
                text: 'done',
                usage: { inputTokens: call.inputTokens, outputTokens: call.outputTokens },
              };
            },
            // A daily limit far above the cap: the root budget every task's reservations pass through.
            // Circuit breakers would stop calls after repeated failures; this property is about
            // budgets, so they never open here.
            // Memory off: this property runs many runtimes and is about budgets, not recall.
            // Worst-case reservations (`cap`): the strict guarantee this property checks, and the
            // probe below relies on a call too big for the day being refused.
            config: {
              memory: { enabled: false },
              budget: { dailyUsd: 1, reserveOutput: 'cap' },
              router: {
                breaker: { consecutiveFailures: 1_000_000, window: 1_000_000, minimumCalls: 1_000_000 },
              },
            },
          });
          try {
            const result = await t.runtime.tasks.run({
              prompt: 'work on it',
              team: {
                name: 'crowd',
                topology: 'parallel',
                options: { merge: 'concat' },
                agents: Array.from({ length: agents }, (_, i) => ({
                  name: `w${i}`,
                  tools: [],
                  maxOutputTokens: MAX_OUTPUT,
                })),
              },
              budget: { usd: cap },
            });
            const rows = await ledgerRows(t.home, result.id);
            const spent = sum(rows);
            expect(spent).toBeLessThanOrEqual(cap * (1 + 1e-9));
            expect(result.cost.usd).toBeCloseTo(spent, 12);
            // Every call sent was either billed or failed; refused calls were never sent.
            expect(t.model.calls.length).toBe(rows.length + failures);
            if (result.status === 'failed' && result.error?.code !== 'budget.exceeded') {
              // Only when every agent's call failed does the parallel team itself fail.
              expect(result.error?.code).toBe('model.call_failed');
              expect(failures).toBe(agents);
            } else if (result.status !== 'succeeded') {
              expect(result.error?.code).toBe('budget.exceeded');
            }

            // No reservation outlives the task: a call too big for the day is refused by the daily
            // budget, whose message lists in-flight reservations (if any) beside what was spent.
            const probe = await t.runtime.tasks.run({
              prompt: 'probe',
              agent: { name: 'probe', tools: [], maxOutputTokens: 1_000_000 },
            });
            expect(probe.error?.code).toBe('budget.exceeded');
            const message = probe.error?.message ?? '';
            expect(message).toMatch(/^daily budget: \$[\d.]+ spent \+ \$[\d.]+ for this call/);
            expect(message).not.toContain('reserved');
            // The day's spend is this task's, shown to 6 decimals under a cent and to 4 above: exact
            // under a cent, within half the last digit above ($0.02435 may show as $0.0244). Compared
            // in whole micro-dollars, which every fake price is: a floating-point difference of a
            // shown tie overshoots that half digit by dust (0.0244 - 0.02435 = 5.000000000000143e-5).
            const dailySpent = Number(/^daily budget: \$([\d.]+) spent/.exec(message)?.[1]);
            const micros = (usd: number) => Math.round(usd * 1_000_000);
            expect(Math.abs(micros(dailySpent) - micros(spent))).toBeLessThanOrEqual(spent < 0.01 ? 0 : 50);
          } finally {
            await t.dispose();
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 120_000);
});

describe('cost rows', () => {
  /** The fake model, except that calls with an odd index report no usage (as some providers do). */
  function withoutUsageOnOddCalls(fake: FakeLanguageModel): FakeLanguageModel {
    return {
      ...fake,
      async doStream(options) {
        const index = fake.calls.length;
        const { stream } = await fake.doStream(options);
        if (index % 2 === 0) return { stream };
        return {
          stream: stream.pipeThrough(
            new TransformStream({
              transform(part, controller) {
                controller.enqueue(
                  part.type === 'finish'
                    ? {
                        ...part,
                        usage: {
                          inputTokens: {
                            total: undefined,
                            noCache: undefined,
                            cacheRead: undefined,
                            cacheWrite: undefined,
                          },
                          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
                        },
                      }
                    : part,
                );
              },
            }),
          ),
        };
      },
    };
  }

  it('say measured when the provider reports usage and estimated when agentd counts it', async () => {
    const fake = createFakeLanguageModel({
      script: ({ index }) => ({ text: `answer number ${index}`, usage: USAGE }),
    });
    const t = await testRuntime({
      runtime: { providers: [createFakeProvider({ models: { scripted: withoutUsageOnOddCalls(fake) } })] },
    });
    const result = await t.runtime.tasks.run({ prompt: 'two steps', team: sequentialTeam(['a', 'b']) });
    expect(result.status).toBe('succeeded');
    const rows = await ledgerRows(t.home, result.id);
    expect(rows.map((r) => [r.agent, r.source])).toEqual([
      ['a', 'measured'],
      ['b', 'estimated'],
    ]);
    expect(rows[0]).toMatchObject({ inputTokens: 1000, outputTokens: 1000, costUsd: CALL_USD });
    // Estimated rows are still priced: tokens counted from the prompt and the answer.
    expect(rows[1]?.inputTokens).toBeGreaterThan(0);
    expect(rows[1]?.outputTokens).toBeGreaterThan(0);
    expect(rows[1]?.costUsd).toBeCloseTo(fakeCost(rows[1]?.inputTokens ?? 0, rows[1]?.outputTokens ?? 0), 12);
    expect(result.cost.usd).toBeCloseTo(sum(rows), 12);
  });
});
