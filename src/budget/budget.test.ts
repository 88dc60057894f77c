import { describe, expect, it } from 'vitest';
import { BudgetExceededError } from '../core/errors.js';
import { createBudget } from './budget.js';
import type { Budget, Spend } from './budget.js';
import { tightestLimits } from './budget-limits.js';

function spend(partial: Partial<Spend>): Spend {
  return { usd: 0, tokens: 0, calls: 0, ...partial };
}

/** Runs `reserve` expecting a refusal and returns the error, failing the test if it does not throw. */
function refusal(budget: Budget, request: Partial<Spend>): BudgetExceededError {
  try {
    budget.reserve(spend(request));
  } catch (error) {
    expect(error).toBeInstanceOf(BudgetExceededError);
    return error as BudgetExceededError;
  }
  throw new Error(`expected ${budget.name} to refuse ${JSON.stringify(request)}`);
}

describe('Budget.reserve', () => {
  it('refuses a USD reservation that would pass the usd limit, naming budget, limit and amounts', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    budget.reserve(spend({ usd: 0.5 })).settle(spend({ usd: 0.25 }));
    budget.reserve(spend({ usd: 0.5 }));

    const error = refusal(budget, { usd: 0.3 });

    expect(error.code).toBe('budget.exceeded');
    expect(error.category).toBe('halt');
    expect(error.message).toBe(
      'task budget: $0.2500 spent + $0.5000 reserved + $0.3000 for this call (worst case) ' +
        'would pass the limit of $1.0000 (usd)',
    );
    expect(error.details).toMatchObject({ budget: 'task', limit: 'usd', limitValue: 1 });
  });

  it('refuses a reservation that would pass the tokens limit', () => {
    const budget = createBudget({ name: 'task', limits: { tokens: 1000 } });
    budget.reserve(spend({ tokens: 900 })).settle(spend({ tokens: 800 }));

    const error = refusal(budget, { tokens: 201 });

    expect(error.code).toBe('budget.exceeded');
    expect(error.message).toBe(
      'task budget: 800 tokens spent + 201 tokens for this call (worst case) would pass the limit of 1000 tokens (tokens)',
    );
    expect(error.details).toMatchObject({ budget: 'task', limit: 'tokens', limitValue: 1000 });
  });

  it('refuses a reservation that would pass the modelCalls limit', () => {
    const budget = createBudget({ name: 'child run', limits: { modelCalls: 2 } });
    budget.reserve(spend({ calls: 1 }));
    budget.reserve(spend({ calls: 1 }));

    const error = refusal(budget, { calls: 1 });

    expect(error.code).toBe('budget.exceeded');
    expect(error.message).toContain('child run budget');
    expect(error.message).toContain('2 calls reserved');
    expect(error.message).toContain('1 calls for this call');
    expect(error.message).toContain('limit of 2 calls (modelCalls)');
    expect(error.details).toMatchObject({ budget: 'child run', limit: 'modelCalls', limitValue: 2 });
  });

  it('counts what calls in flight could use beyond their reservation, so only one call can pass the limit', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    // Held at $0.10 (a learned output length), up to $0.50 at worst.
    const first = budget.reserve({ ...spend({ usd: 0.1 }), worst: spend({ usd: 0.5 }) });
    budget.reserve({ ...spend({ usd: 0.1 }), worst: spend({ usd: 0.5 }) });
    // $0.20 held + $0.80 that could still come: a third learned call would let three pass the limit.
    expect(refusal(budget, { usd: 0.1 }).message).toContain('$1.0000 reserved');
    first.settle(spend({ usd: 0.1 }));
    // Settled at what it used: its shortfall is gone, and room for one more.
    expect(() => budget.reserve({ ...spend({ usd: 0.1 }), worst: spend({ usd: 0.5 }) })).not.toThrow();
  });

  it('holds nothing when it refuses', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1, tokens: 100 } });
    budget.reserve(spend({ usd: 0.5, tokens: 10 }));

    refusal(budget, { usd: 0.1, tokens: 500 });

    expect(budget.reserved()).toEqual(spend({ usd: 0.5, tokens: 10 }));
  });

  it('allows a reservation that exactly reaches the limit', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1, tokens: 100, modelCalls: 2 } });
    budget.reserve(spend({ usd: 0.25, tokens: 40, calls: 1 }));
    budget.reserve(spend({ usd: 0.75, tokens: 60, calls: 1 }));

    expect(budget.reserved()).toEqual(spend({ usd: 1, tokens: 100, calls: 2 }));
    refusal(budget, { calls: 1 });
  });

  it('allows reaching a USD limit in cents although their binary sum rounds above it', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; a $0.30 cap must still admit both calls.
    const budget = createBudget({ name: 'task', limits: { usd: 0.3 } });
    budget.reserve(spend({ usd: 0.1 }));

    expect(() => budget.reserve(spend({ usd: 0.2 }))).not.toThrow();
    refusal(budget, { usd: 0.001 });
  });

  it('holds exactly nothing once every reservation is released, whatever binary rounding did meanwhile', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    const first = budget.reserve(spend({ usd: 0.1 }));
    const second = budget.reserve(spend({ usd: 0.2 }));

    first.release();
    second.release();

    expect(budget.reserved()).toEqual(spend({}));
    expect(refusal(budget, { usd: 1.5 }).message).not.toContain('reserved');
  });

  it('places no limit on a dimension without one', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });

    budget.reserve(spend({ usd: 1, tokens: 1e9, calls: 1e6 }));

    expect(budget.reserved()).toEqual(spend({ usd: 1, tokens: 1e9, calls: 1e6 }));
  });

  it('counts spend carried over from before against the limits', () => {
    const budget = createBudget({ name: 'day', limits: { usd: 10 }, spent: spend({ usd: 9.5 }) });

    expect(budget.spent()).toEqual(spend({ usd: 9.5 }));
    expect(refusal(budget, { usd: 0.6 }).message).toContain('$9.5000 spent');
    budget.reserve(spend({ usd: 0.5 }));
  });
});

describe('Reservation', () => {
  it('settles to the actual spend and frees the rest of what it held', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1, tokens: 1000 } });
    const reservation = budget.reserve(spend({ usd: 0.8, tokens: 900, calls: 1 }));

    reservation.settle(spend({ usd: 0.3, tokens: 250, calls: 1 }));

    expect(budget.spent()).toEqual(spend({ usd: 0.3, tokens: 250, calls: 1 }));
    expect(budget.reserved()).toEqual(spend({}));
    budget.reserve(spend({ usd: 0.7, tokens: 750 }));
    refusal(budget, { usd: 0.01 });
  });

  it('charges an actual spend above the reservation in full', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });

    budget.reserve(spend({ usd: 0.5 })).settle(spend({ usd: 0.9 }));

    expect(budget.spent().usd).toBe(0.9);
    refusal(budget, { usd: 0.2 });
  });

  it('lets every call in flight overshoot the cap by its own estimation miss', () => {
    // The cap bounds admissions; settles charge what was used. Two concurrent calls that each use
    // twice their reservation overshoot by both reservations, not by one.
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    const first = budget.reserve(spend({ usd: 0.5 }));
    const second = budget.reserve(spend({ usd: 0.5 }));

    first.settle(spend({ usd: 1 }));
    second.settle(spend({ usd: 1 }));

    expect(budget.spent().usd).toBe(2);
    refusal(budget, { usd: 0.000001 });
  });

  it('frees everything it held on release and charges nothing', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    const reservation = budget.reserve(spend({ usd: 1, tokens: 10, calls: 1 }));

    reservation.release();

    expect(budget.reserved()).toEqual(spend({}));
    expect(budget.spent()).toEqual(spend({}));
    budget.reserve(spend({ usd: 1 }));
  });

  it('ignores a second settle', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    const reservation = budget.reserve(spend({ usd: 0.5, calls: 1 }));

    reservation.settle(spend({ usd: 0.4, calls: 1 }));
    reservation.settle(spend({ usd: 0.4, calls: 1 }));

    expect(budget.spent()).toEqual(spend({ usd: 0.4, calls: 1 }));
    expect(budget.reserved()).toEqual(spend({}));
  });

  it('ignores a second release, and a release after settle', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    const other = budget.reserve(spend({ usd: 0.25 }));
    const released = budget.reserve(spend({ usd: 0.5 }));
    const settled = budget.reserve(spend({ usd: 0.25 }));

    released.release();
    released.release();
    settled.settle(spend({ usd: 0.125 }));
    settled.release();

    expect(budget.reserved()).toEqual(spend({ usd: 0.25 }));
    expect(budget.spent()).toEqual(spend({ usd: 0.125 }));
    other.release();
    expect(budget.reserved()).toEqual(spend({}));
  });

  it('ignores a settle after release', () => {
    const budget = createBudget({ name: 'task', limits: { usd: 1 } });
    const reservation = budget.reserve(spend({ usd: 0.5 }));

    reservation.release();
    reservation.settle(spend({ usd: 0.5 }));

    expect(budget.spent()).toEqual(spend({}));
    expect(budget.reserved()).toEqual(spend({}));
  });
});

describe('Budget.child', () => {
  it("refuses when the parent's remaining budget is too small, even if its own limit is loose", () => {
    const day = createBudget({ name: 'day', limits: { usd: 1 } });
    day.reserve(spend({ usd: 0.9 })).settle(spend({ usd: 0.9 }));
    const task = day.child({ name: 'task', limits: { usd: 5 } });

    const error = refusal(task, { usd: 0.2 });

    expect(error.message).toContain('day budget');
    expect(error.message).toContain('$0.9000 spent');
    expect(error.message).toContain('(usd)');
    expect(error.details).toMatchObject({ budget: 'day', limit: 'usd' });
    task.reserve(spend({ usd: 0.1 }));
  });

  it("counts a sibling's in-flight reservation against what is left for it", () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    const first = task.child({ name: 'first' });
    const second = task.child({ name: 'second' });
    first.reserve(spend({ usd: 0.7 }));

    expect(refusal(second, { usd: 0.4 }).details).toMatchObject({ budget: 'task' });
    second.reserve(spend({ usd: 0.3 }));
  });

  it('refuses on its own limit when that is the tighter one', () => {
    const day = createBudget({ name: 'day', limits: { usd: 100 } });
    const task = day.child({ name: 'task', limits: { usd: 1 } });

    expect(refusal(task, { usd: 2 }).details).toMatchObject({ budget: 'task', limit: 'usd', limitValue: 1 });
  });

  it('holds nothing anywhere in the tree when an ancestor refuses', () => {
    const day = createBudget({ name: 'day', limits: { usd: 1 } });
    const task = day.child({ name: 'task', limits: { usd: 5 } });
    const run = task.child({ name: 'child run' });

    refusal(run, { usd: 2 });

    for (const budget of [day, task, run]) expect(budget.reserved()).toEqual(spend({}));
  });

  it('shows its reservations and settled spend in every ancestor', () => {
    const day = createBudget({ name: 'day', limits: { usd: 10 } });
    const task = day.child({ name: 'task', limits: { usd: 5 } });
    const run = task.child({ name: 'child run' });

    const reservation = run.reserve(spend({ usd: 2, tokens: 100, calls: 1 }));
    for (const budget of [day, task, run])
      expect(budget.reserved()).toEqual(spend({ usd: 2, tokens: 100, calls: 1 }));

    reservation.settle(spend({ usd: 1.5, tokens: 60, calls: 1 }));
    for (const budget of [day, task, run]) {
      expect(budget.spent()).toEqual(spend({ usd: 1.5, tokens: 60, calls: 1 }));
      expect(budget.reserved()).toEqual(spend({}));
    }
  });

  it("does not charge a parent's own spend to its child", () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    const run = task.child({ name: 'child run' });

    task.reserve(spend({ usd: 0.5 })).settle(spend({ usd: 0.5 }));

    expect(run.spent()).toEqual(spend({}));
    expect(task.spent()).toEqual(spend({ usd: 0.5 }));
  });

  it('counts its `spent` option against its own limits only, not again in the parent', () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    const run = task.child({ name: 'child run', limits: { usd: 0.6 }, spent: spend({ usd: 0.5 }) });

    expect(run.spent()).toEqual(spend({ usd: 0.5 }));
    expect(task.spent()).toEqual(spend({}));
    expect(refusal(run, { usd: 0.2 }).details).toMatchObject({ budget: 'child run' });
    task.reserve(spend({ usd: 1 }));
  });

  it('has no limits of its own when given none', () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });

    expect(task.child({ name: 'child run' }).limits).toEqual({});
  });
});

describe('Budget.bounded', () => {
  it('is false for a budget without limits whose ancestors have none either', () => {
    const root = createBudget({ name: 'task', limits: {} });

    expect(root.bounded).toBe(false);
    expect(root.child({ name: 'child run' }).bounded).toBe(false);
  });

  it('is true for a budget with a limit and for every descendant of one', () => {
    const root = createBudget({ name: 'day', limits: { usd: 10 } });

    expect(root.bounded).toBe(true);
    expect(root.child({ name: 'task' }).child({ name: 'child run' }).bounded).toBe(true);
    expect(
      createBudget({ name: 'task', limits: {} }).child({ name: 'child run', limits: { modelCalls: 3 } })
        .bounded,
    ).toBe(true);
  });

  it('ignores a wall-time limit, which reservations do not track', () => {
    expect(createBudget({ name: 'task', limits: { wallTimeMs: 1000 } }).bounded).toBe(false);
  });
});

describe('tightestLimits', () => {
  it('takes the smallest value of each dimension', () => {
    expect(
      tightestLimits(
        { usd: 5, tokens: 1000, modelCalls: 10, wallTimeMs: 60_000 },
        { usd: 2, tokens: 5000, modelCalls: 20, wallTimeMs: 30_000 },
        { usd: 3, modelCalls: 4 },
      ),
    ).toEqual({ usd: 2, tokens: 1000, modelCalls: 4, wallTimeMs: 30_000 });
  });

  it('does not let a missing limit loosen another set', () => {
    expect(tightestLimits({ usd: 1 }, {}, { tokens: 100 })).toEqual({ usd: 1, tokens: 100 });
  });

  it('skips undefined sets and returns no limits when there are none', () => {
    expect(tightestLimits(undefined, { modelCalls: 3 }, undefined)).toEqual({ modelCalls: 3 });
    expect(tightestLimits()).toEqual({});
    expect(tightestLimits(undefined)).toEqual({});
  });
});

describe('Budget.reserveWhenAvailable', () => {
  const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

  it('waits for an in-flight sibling to settle, then reserves with the request asked again', async () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    const a = task.child({ name: 'a' });
    const b = task.child({ name: 'b' });
    const held = a.reserve(spend({ usd: 0.8 }));
    let asked = 0;
    let worstCase = 0.5;
    const waiting = b.reserveWhenAvailable(() => (asked++, spend({ usd: worstCase })));
    await nextTurn();
    expect(asked).toBe(1);

    // What the call may use shrank meanwhile (its model's outputs were learned).
    worstCase = 0.3;
    held.settle(spend({ usd: 0.7 }));
    await waiting;
    expect(asked).toBe(2);
    expect(task.reserved().usd).toBeCloseTo(0.3, 12);
  });

  it('keeps waiting while others are in flight, and gives up once nothing is', async () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    const first = task.reserve(spend({ usd: 0.6 }));
    const second = task.reserve(spend({ usd: 0.3 }));
    const waiting = task.reserveWhenAvailable(() => spend({ usd: 0.5 }));
    const outcome = waiting.then(
      () => 'reserved',
      (error: unknown) => error,
    );
    second.settle(spend({ usd: 0.3 }));
    await nextTurn();
    await nextTurn();
    // Still refused ($0.3 spent + $0.6 held + $0.5 > $1) but the first call may settle for less.
    first.settle(spend({ usd: 0.6 }));
    const error = await outcome;
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect(task.reserved()).toEqual(spend({}));
  });

  it('refuses at once when nothing is in flight', async () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    task.reserve(spend({ usd: 0.9 })).settle(spend({ usd: 0.9 }));
    await expect(task.reserveWhenAvailable(() => spend({ usd: 0.2 }))).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
  });

  it('stops waiting when its signal aborts', async () => {
    const task = createBudget({ name: 'task', limits: { usd: 1 } });
    task.reserve(spend({ usd: 0.9 }));
    const controller = new AbortController();
    const waiting = task.reserveWhenAvailable(() => spend({ usd: 0.2 }), controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});

describe('Budget.reserveWhenAvailable under a shared parent', () => {
  it("does not wait for another task's calls: they free nothing in this task's budget", async () => {
    const day = createBudget({ name: 'daily', limits: {} });
    const mine = day.child({ name: 'task', limits: { usd: 1 } });
    const theirs = day.child({ name: 'task', limits: { usd: 5 } });
    mine.reserve(spend({ usd: 0.9 })).settle(spend({ usd: 0.9 }));
    theirs.reserve(spend({ usd: 1 }));
    await expect(mine.reserveWhenAvailable(() => spend({ usd: 0.2 }))).rejects.toBeInstanceOf(
      BudgetExceededError,
    );
  });

  it('waits for them when the refusing budget is the shared one', async () => {
    const day = createBudget({ name: 'daily', limits: { usd: 1 } });
    const mine = day.child({ name: 'task' });
    const theirs = day.child({ name: 'task' });
    const held = theirs.reserve(spend({ usd: 0.9 }));
    const waiting = mine.reserveWhenAvailable(() => spend({ usd: 0.2 }));
    held.settle(spend({ usd: 0.5 }));
    await expect(waiting).resolves.toBeDefined();
    expect(day.reserved().usd).toBeCloseTo(0.2, 12);
  });
});
