import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../core/errors.js';
import { createModelCatalog } from '../models/index.js';
import type { ModelCallOutcome, ModelInfo } from '../models/index.js';
import type { CostRecord, LedgerStore } from '../store/ledger-store.js';
import { createBudget } from './budget.js';
import { createCostMeter, reservationNeedsExactInput } from './cost-meter.js';

/** An in-memory ledger: the rows the meter wrote, in order, pending ones updated in place. */
function memoryLedger(): LedgerStore & { rows: CostRecord[] } {
  const rows: CostRecord[] = [];
  const pending = (id: string) => rows.find((row) => row.id === id && row.status === 'pending');
  return {
    rows,
    async record(row) {
      rows.push({ ...row });
    },
    async settle(id, settlement) {
      const row = pending(id);
      if (!row) return false;
      Object.assign(row, settlement, { status: 'settled' });
      return true;
    },
    async discard(id) {
      const row = pending(id);
      if (!row) return false;
      rows.splice(rows.indexOf(row), 1);
      return true;
    },
    async markInterrupted() {
      throw new Error('not used by the meter');
    },
    async listByTask(taskId) {
      return rows.filter((row) => row.taskId === taskId);
    },
    async totals() {
      throw new Error('not used by the meter');
    },
  };
}

// $2 per 1M input tokens, $10 per 1M output tokens.
const info: ModelInfo = (() => {
  const catalog = createModelCatalog({
    overrides: [{ id: 'openai/gpt-4o', inputPerMTok: 2, outputPerMTok: 10 }],
  });
  const entry = catalog.get('openai/gpt-4o');
  if (!entry) throw new Error('catalog has no openai/gpt-4o');
  return entry;
})();

function outcome(partial: Partial<ModelCallOutcome> = {}): ModelCallOutcome {
  return {
    inputTokens: 1_000,
    outputTokens: 500,
    usageSource: 'measured',
    finishReason: 'stop',
    responseModelId: undefined,
    ...partial,
  };
}

function setup(options: { limits?: { usd?: number; tokens?: number }; spentUsd?: number } = {}) {
  const ledger = memoryLedger();
  const budget = createBudget({ name: 'task', limits: options.limits ?? {} });
  const recorded: { modelId: string; costUsd: number; rowsSoFar: number }[] = [];
  const meter = createCostMeter({
    taskId: 'task_1',
    ledger,
    clock: { now: () => 42_000 },
    ...(options.spentUsd !== undefined ? { spentUsd: options.spentUsd } : {}),
    onRecorded: async (call) => {
      recorded.push({ modelId: call.info.id, costUsd: call.costUsd, rowsSoFar: ledger.rows.length });
    },
  });
  return { ledger, budget, meter, recorded };
}

describe('createCostMeter', () => {
  it('writes a pending row at the worst case before the call, then settles it at catalog price', async () => {
    const { ledger, budget, meter, recorded } = setup({ limits: { usd: 1 }, spentUsd: 0.5 });

    const call = await meter.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
    });
    // 1000 × $2/M + 2000 × $10/M
    expect(budget.reserved()).toEqual({ usd: 0.022, tokens: 3_000, calls: 1 });
    const row = {
      id: expect.stringMatching(/^cost_/),
      taskId: 'task_1',
      agent: 'writer',
      modelId: 'openai/gpt-4o',
      provider: 'openai',
      createdAt: 42_000,
    };
    // A crash from here on leaves this row: the call's cost unknown, estimated at the worst case.
    expect(ledger.rows).toEqual([
      {
        ...row,
        inputTokens: 1_000,
        outputTokens: 2_000,
        costUsd: 0.022,
        source: 'estimated',
        status: 'pending',
      },
    ]);

    const cost = call.settle({ outcome: outcome({ usageSource: 'estimated' }) });
    await cost.recorded;

    // 1000 × $2/M + 500 × $10/M
    expect(cost).toMatchObject({ costUsd: 0.007, taskCostUsd: 0.507 });
    expect(cost.overMaxTokens).toBeUndefined();
    expect(ledger.rows).toEqual([
      {
        ...row,
        inputTokens: 1_000,
        outputTokens: 500,
        costUsd: 0.007,
        source: 'estimated',
        status: 'settled',
      },
    ]);
    expect(recorded).toEqual([{ modelId: 'openai/gpt-4o', costUsd: 0.007, rowsSoFar: 1 }]);
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(budget.spent()).toEqual({ usd: 0.007, tokens: 1_500, calls: 1 });
    expect(meter.taskCostUsd()).toBe(0.507);

    // Releasing after the settlement changes nothing.
    await call.release();
    expect(ledger.rows).toHaveLength(1);
    expect(budget.spent()).toEqual({ usd: 0.007, tokens: 1_500, calls: 1 });
  });

  it('reserves the learned output length instead of the cap once the model has been seen', async () => {
    const { ledger, budget, meter } = setup({ limits: { usd: 1 } });

    await meter.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
      expectedOutputTokens: () => 300,
    });
    // 1000 × $2/M + 300 × $10/M
    expect(budget.reserved()).toEqual({ usd: 0.005, tokens: 1_300, calls: 1 });
    // The pending row stays at the cap (1000 × $2/M + 2000 × $10/M): if the process dies, the call
    // may have used all of it, and the row must not undercount.
    expect(ledger.rows[0]).toMatchObject({ outputTokens: 2_000, costUsd: 0.022, status: 'pending' });
  });

  it('records usage past the requested max_tokens on the row', async () => {
    const { ledger, budget, meter } = setup();
    const call = await meter.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 100,
    });

    const cost = call.settle({ outcome: outcome({ outputTokens: 500 }) });
    await cost.recorded;

    expect(cost.overMaxTokens).toBe(100);
    expect(ledger.rows[0]).toMatchObject({ outputTokens: 500, overMaxTokens: 100, status: 'settled' });
  });

  it('only counts the call in an unbounded budget', async () => {
    const { ledger, budget, meter } = setup();

    const call = await meter.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
    });
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 1 });
    await call.settle({ outcome: outcome() }).recorded;

    expect(ledger.rows).toHaveLength(1);
    expect(budget.spent()).toEqual({ usd: 0.007, tokens: 1_500, calls: 1 });
  });

  it('drops the pending row of a released call and frees its reservation', async () => {
    const { ledger, budget, meter, recorded } = setup({ limits: { usd: 1 } });

    const call = await meter.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
    });
    expect(ledger.rows).toHaveLength(1);
    await call.release();

    expect(ledger.rows).toEqual([]);
    expect(recorded).toEqual([]);
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(budget.spent()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(meter.taskCostUsd()).toBe(0);
  });

  it('throws budget.exceeded before anything is reserved or written when the worst case passes the limit', async () => {
    const { ledger, budget, meter } = setup({ limits: { usd: 0.02 } });

    await expect(
      meter.reserve({ budget, agent: 'writer', info, inputTokens: 1_000, maxOutputTokens: 2_000 }),
    ).rejects.toThrow(BudgetExceededError);

    expect(ledger.rows).toEqual([]);
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
  });

  it('waits for an in-flight call to settle when the budget refuses, then reserves', async () => {
    // Room for one worst case (0.022) at a time, and for both once the first settles at 0.007.
    const { ledger, budget, meter } = setup({ limits: { usd: 0.03 } });
    const first = await meter.reserve({
      budget,
      agent: 'a',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
    });
    let second: unknown;
    const waiting = meter
      .reserve({ budget, agent: 'b', info, inputTokens: 1_000, maxOutputTokens: 2_000 })
      .then((call) => (second = call));
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBeUndefined();
    expect(ledger.rows).toHaveLength(1);

    first.settle({ outcome: outcome() });
    await waiting;
    expect(second).toBeDefined();
    expect(budget.reserved().usd).toBeCloseTo(0.022, 10);
    expect(ledger.rows.map((row) => row.agent)).toEqual(['a', 'b']);
  });

  it('releases the reservation when the pending row cannot be written', async () => {
    const { budget } = setup({ limits: { usd: 1 } });
    const failing = createCostMeter({
      taskId: 'task_1',
      ledger: {
        ...memoryLedger(),
        record: async () => {
          throw new Error('disk full');
        },
      },
      clock: { now: () => 0 },
    });

    await expect(
      failing.reserve({ budget, agent: 'writer', info, inputTokens: 1_000, maxOutputTokens: 2_000 }),
    ).rejects.toThrow('disk full');
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(failing.taskCostUsd()).toBe(0);
  });

  it('hands a failed settlement to whoever commits it', async () => {
    const { budget } = setup({ limits: { usd: 1 } });
    const failing = createCostMeter({
      taskId: 'task_1',
      ledger: {
        ...memoryLedger(),
        settle: async () => {
          throw new Error('disk full');
        },
      },
      clock: { now: () => 0 },
    });
    const call = await failing.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
    });
    const cost = call.settle({ outcome: outcome() });
    await expect(cost.recorded).rejects.toThrow('disk full');
  });
});

describe('reservationNeedsExactInput', () => {
  const free: ModelInfo = { ...info, inputPerMTok: 0, outputPerMTok: 0 };

  it('asks for the exact count when a token limit applies, here or in a parent, whatever the price', () => {
    const day = createBudget({ name: 'day', limits: { tokens: 10_000 } });
    expect(reservationNeedsExactInput(createBudget({ name: 'task', limits: { tokens: 500 } }), free)).toBe(
      true,
    );
    expect(reservationNeedsExactInput(day.child({ name: 'task' }), free)).toBe(true);
  });

  it('asks for it under a dollar limit only when the model charges for input', () => {
    const dollars = createBudget({ name: 'task', limits: { usd: 1 } });
    expect(reservationNeedsExactInput(dollars, info)).toBe(true);
    expect(reservationNeedsExactInput(dollars.child({ name: 'child run' }), info)).toBe(true);
    expect(reservationNeedsExactInput(dollars, free)).toBe(false);
  });

  it('needs no count without a limit on tokens or dollars', () => {
    expect(reservationNeedsExactInput(createBudget({ name: 'task', limits: {} }), info)).toBe(false);
    expect(reservationNeedsExactInput(createBudget({ name: 'task', limits: { modelCalls: 2 } }), info)).toBe(
      false,
    );
    expect(
      reservationNeedsExactInput(createBudget({ name: 'task', limits: { wallTimeMs: 1000 } }), info),
    ).toBe(false);
  });
});
