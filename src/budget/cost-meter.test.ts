import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../core/errors.js';
import { createModelCatalog } from '../models/index.js';
import type { ModelCallOutcome, ModelInfo } from '../models/index.js';
import type { CostRecord, LedgerStore } from '../store/ledger-store.js';
import { createBudget } from './budget.js';
import { createCostMeter, reservationNeedsExactInput } from './cost-meter.js';

/** An in-memory ledger: the rows the meter wrote, in order. */
function memoryLedger(): LedgerStore & { rows: CostRecord[] } {
  const rows: CostRecord[] = [];
  return {
    rows,
    async record(row) {
      rows.push(row);
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
  it('reserves the worst case, then settles to one ledger row at catalog price', async () => {
    const { ledger, budget, meter, recorded } = setup({ limits: { usd: 1 }, spentUsd: 0.5 });

    const call = meter.reserve({ budget, agent: 'writer', info, inputTokens: 1_000, maxOutputTokens: 2_000 });
    // 1000 × $2/M + 2000 × $10/M
    expect(budget.reserved()).toEqual({ usd: 0.022, tokens: 3_000, calls: 1 });
    expect(ledger.rows).toEqual([]);

    const cost = await call.settle({ outcome: outcome({ usageSource: 'estimated' }) });

    // 1000 × $2/M + 500 × $10/M
    expect(cost).toEqual({ costUsd: 0.007, taskCostUsd: 0.507 });
    expect(ledger.rows).toEqual([
      {
        id: expect.stringMatching(/^cost_/),
        taskId: 'task_1',
        agent: 'writer',
        modelId: 'openai/gpt-4o',
        provider: 'openai',
        inputTokens: 1_000,
        outputTokens: 500,
        costUsd: 0.007,
        source: 'estimated',
        createdAt: 42_000,
      },
    ]);
    expect(recorded).toEqual([{ modelId: 'openai/gpt-4o', costUsd: 0.007, rowsSoFar: 1 }]);
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(budget.spent()).toEqual({ usd: 0.007, tokens: 1_500, calls: 1 });
    expect(meter.taskCostUsd()).toBe(0.507);

    // Settling or releasing again changes nothing in the budget.
    call.release();
    expect(budget.spent()).toEqual({ usd: 0.007, tokens: 1_500, calls: 1 });
  });

  it('only counts the call in an unbounded budget', async () => {
    const { ledger, budget, meter } = setup();

    const call = meter.reserve({ budget, agent: 'writer', info, inputTokens: 1_000, maxOutputTokens: 2_000 });
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 1 });
    await call.settle({ outcome: outcome() });

    expect(ledger.rows).toHaveLength(1);
    expect(budget.spent()).toEqual({ usd: 0.007, tokens: 1_500, calls: 1 });
  });

  it('writes no row for a released call and frees its reservation', () => {
    const { ledger, budget, meter, recorded } = setup({ limits: { usd: 1 } });

    meter.reserve({ budget, agent: 'writer', info, inputTokens: 1_000, maxOutputTokens: 2_000 }).release();

    expect(ledger.rows).toEqual([]);
    expect(recorded).toEqual([]);
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(budget.spent()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(meter.taskCostUsd()).toBe(0);
  });

  it('throws budget.exceeded before anything is reserved or written when the worst case passes the limit', () => {
    const { ledger, budget, meter } = setup({ limits: { usd: 0.02 } });

    expect(() =>
      meter.reserve({ budget, agent: 'writer', info, inputTokens: 1_000, maxOutputTokens: 2_000 }),
    ).toThrow(BudgetExceededError);

    expect(ledger.rows).toEqual([]);
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
  });

  it('leaves the reservation held when the ledger write fails, for the caller to release', async () => {
    const { budget, meter } = setup({ limits: { usd: 1 } });
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

    const call = failing.reserve({
      budget,
      agent: 'writer',
      info,
      inputTokens: 1_000,
      maxOutputTokens: 2_000,
    });
    await expect(call.settle({ outcome: outcome() })).rejects.toThrow('disk full');
    expect(budget.spent().usd).toBe(0);
    call.release();
    expect(budget.reserved()).toEqual({ usd: 0, tokens: 0, calls: 0 });
    expect(failing.taskCostUsd()).toBe(0);
    expect(meter.taskCostUsd()).toBe(0);
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
