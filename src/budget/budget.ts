import { BudgetExceededError } from '../core/errors.js';
import type { BudgetLimits } from './budget-limits.js';

/** An amount of model use: dollars, tokens and calls. */
export interface Spend {
  usd: number;
  tokens: number;
  calls: number;
}

/**
 * What a call asks to hold: its expected use, and (when that is less than it could use, e.g. output
 * reserved at the learned length rather than the cap) its worst case.
 */
export interface SpendRequest extends Spend {
  worst?: Spend;
}

/** Money held for one model call: settled to its measured cost, or released if it never ran. */
export interface Reservation {
  /** Replaces the reservation by what the call really used. Later calls of settle or release do nothing. */
  settle(actual: Spend): void;
  /** Drops the reservation (the call failed or was cancelled before using anything billable). */
  release(): void;
}

/** A budget that model calls reserve against before they are dispatched. */
export interface Budget {
  /** Its name in error messages (`task`, `day`, `child run`). */
  readonly name: string;
  readonly limits: BudgetLimits;
  /** Whether this budget or a parent has any limit (if not, reservations need no estimate). */
  readonly bounded: boolean;
  /** Whether this budget or a parent limits `dimension` (so a reservation's size in it matters). */
  limitedIn(dimension: keyof Spend): boolean;
  /**
   * Reserves a call's worst-case use here and in every parent budget, or throws
   * `budget.exceeded` when that would pass any of their limits. Atomic: checking and holding
   * happen in one synchronous step, so concurrent agents cannot overdraw together.
   */
  reserve(request: SpendRequest): Reservation;
  /**
   * Like `reserve`, but a refusal by a budget that holds reservations in flight (its own or its
   * children's) waits for a reservation to settle or be released and tries again: parallel agents
   * queue for the money their siblings hold rather than fail with it unspent. `request` is asked again at each try (what
   * a call may use shrinks as its model's outputs are learned). Throws `budget.exceeded` once the
   * call is refused with nothing in flight (nothing will free up), and the signal's reason when it
   * aborts.
   */
  reserveWhenAvailable(request: () => SpendRequest, signal?: AbortSignal): Promise<Reservation>;
  /** What settled calls used. */
  spent(): Spend;
  /** What in-flight reservations hold. */
  reserved(): Spend;
  /**
   * A budget for a child run (or a task under the day): it charges this budget too, so it can
   * never exceed what is left here. `spent` is use already counted here (e.g. before a restart).
   */
  child(options: { name: string; limits?: BudgetLimits; spent?: Spend }): Budget;
}

/**
 * How far past a limit a check lets binary rounding go, as a share of the limit: decimal prices
 * do not add exactly ($0.10 + $0.20 > $0.30 in floating point), and a cap must still admit spend
 * that reaches it exactly. A billionth of a $1000 cap is a tenth of a cent.
 */
const ROUNDING_SLACK = 1e-9;

// Captured at load: a test that fakes timers must not stop waiting reservations from waking.
const nextTurn = globalThis.setImmediate;

const DIMENSIONS = [
  ['usd', 'usd'],
  ['tokens', 'tokens'],
  ['calls', 'modelCalls'],
] as const;

/** Creates a root budget; `spent` carries over use recorded before (e.g. from the ledger). */
export function createBudget(options: { name: string; limits: BudgetLimits; spent?: Spend }): Budget {
  return new LimitedBudget(options.name, options.limits, options.spent ?? zero(), undefined);
}

/** What budgets of one tree call on each other. */
interface BudgetInternals {
  check(request: Spend): void;
  hold(delta: Spend, gap: Spend, sign: 1 | -1): void;
  charge(actual: Spend): void;
  /** The root of the tree, which knows every reservation in flight and wakes those waiting for one to end. */
  readonly root: LimitedBudget;
}

class LimitedBudget implements Budget, BudgetInternals {
  readonly #spent: Spend;
  readonly #reserved: Spend = zero();
  /**
   * What in-flight calls could use beyond what they hold (worst case − reservation). It counts as
   * committed for the next call, so that if every call in flight reaches its worst case, spend passes
   * a limit by at most one call's shortfall: the limit plus one call, never more.
   */
  readonly #shortfall: Spend = zero();
  /** Reservations held here (its own and its descendants'), to reset `#reserved` to exactly zero when none is. */
  #open = 0;
  readonly bounded: boolean;
  readonly root: LimitedBudget;
  /** At the root: callers of `reserveWhenAvailable` waiting for a reservation of the tree to end. */
  readonly #waiting = new Set<() => void>();

  constructor(
    readonly name: string,
    readonly limits: BudgetLimits,
    spent: Spend,
    readonly parent: BudgetInternals | undefined,
  ) {
    this.#spent = { ...spent };
    this.bounded =
      (parent as LimitedBudget | undefined)?.bounded === true ||
      DIMENSIONS.some(([, limitKey]) => limits[limitKey] !== undefined);
    this.root = parent?.root ?? this;
  }

  limitedIn(dimension: keyof Spend): boolean {
    const limitKey = DIMENSIONS.find(([name]) => name === dimension)?.[1];
    if (limitKey !== undefined && this.limits[limitKey] !== undefined) return true;
    return (this.parent as LimitedBudget | undefined)?.limitedIn(dimension) === true;
  }

  reserve(request: SpendRequest): Reservation {
    this.check(request);
    const gap = shortfallOf(request);
    this.hold(request, gap, 1);
    let open = true;
    return {
      settle: (actual) => {
        if (!open) return;
        open = false;
        this.hold(request, gap, -1);
        this.charge(actual);
      },
      release: () => {
        if (!open) return;
        open = false;
        this.hold(request, gap, -1);
      },
    };
  }

  async reserveWhenAvailable(request: () => SpendRequest, signal?: AbortSignal): Promise<Reservation> {
    for (;;) {
      signal?.throwIfAborted();
      const asked = request();
      try {
        return this.reserve(asked);
      } catch (error) {
        if (!(error instanceof BudgetExceededError) || !this.#mayFit(asked)) throw error;
      }
      await this.root.#nextRelease(signal);
    }
  }

  /** Resolves when a reservation of this (root) budget's tree is settled or released. */
  #nextRelease(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = () => {
        this.#waiting.delete(wake);
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        this.#waiting.delete(wake);
        reject(signal?.reason);
      };
      this.#waiting.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  /** The first dimension whose limit `request` would pass here (not in parents), if any. */
  #passes(request: Spend): (typeof DIMENSIONS)[number] | undefined {
    return DIMENSIONS.find(([dimension, limitKey]) => {
      const limit = this.limits[limitKey];
      if (limit === undefined) return false;
      const committed = this.#spent[dimension] + this.#reserved[dimension] + this.#shortfall[dimension];
      return committed + request[dimension] > limit * (1 + ROUNDING_SLACK);
    });
  }

  /**
   * Whether a settlement can still make room for `request`: every budget up the chain that refuses
   * it holds reservations in flight (its own or its descendants'). Another task's calls in flight
   * under the same day free nothing in this task's budget.
   */
  #mayFit(request: Spend): boolean {
    if (this.#passes(request) !== undefined && this.#open === 0) return false;
    const parent = this.parent as LimitedBudget | undefined;
    return parent === undefined || parent.#mayFit(request);
  }

  check(request: Spend): void {
    const passed = this.#passes(request);
    if (passed) {
      const [dimension, limitKey] = passed;
      const limit = this.limits[limitKey] as number;
      throw new BudgetExceededError({
        message:
          `${this.name} budget: ${format(dimension, this.#spent[dimension])} spent` +
          (this.#reserved[dimension] + this.#shortfall[dimension] > 0
            ? ` + ${format(dimension, this.#reserved[dimension] + this.#shortfall[dimension])} reserved`
            : '') +
          ` + ${format(dimension, request[dimension])} for this call (worst case) would pass the limit of ` +
          `${format(dimension, limit)} (${limitKey})`,
        details: { budget: this.name, limit: limitKey, limitValue: limit, spent: { ...this.#spent } },
      });
    }
    this.parent?.check(request);
  }

  hold(delta: Spend, gap: Spend, sign: 1 | -1): void {
    this.#open += sign;
    // Adding and removing decimal amounts in floating point leaves dust (4e-22 instead of 0);
    // with nothing in flight the exact answer is zero.
    if (this.#open === 0) {
      Object.assign(this.#reserved, zero());
      Object.assign(this.#shortfall, zero());
    } else {
      for (const [dimension] of DIMENSIONS) {
        this.#reserved[dimension] += sign * delta[dimension];
        this.#shortfall[dimension] += sign * gap[dimension];
      }
    }
    if (this.parent) this.parent.hold(delta, gap, sign);
    else if (sign === -1 && this.#waiting.size > 0) {
      // Woken on the next turn: after the ending reservation's charge (settle charges right after
      // this) and after the call's outcome reached the router, so a retry sees both.
      const waiting = [...this.#waiting];
      nextTurn(() => {
        for (const wake of waiting) wake();
      });
    }
  }

  charge(actual: Spend): void {
    for (const [dimension] of DIMENSIONS) this.#spent[dimension] += actual[dimension];
    this.parent?.charge(actual);
  }

  spent(): Spend {
    return { ...this.#spent };
  }

  reserved(): Spend {
    return { ...this.#reserved };
  }

  child(options: { name: string; limits?: BudgetLimits; spent?: Spend }): Budget {
    return new LimitedBudget(options.name, options.limits ?? {}, options.spent ?? zero(), this);
  }
}

/** How much more than it holds a request could use (zero in every dimension without a worst case). */
function shortfallOf(request: SpendRequest): Spend {
  const { worst } = request;
  if (!worst) return zero();
  return {
    usd: Math.max(0, worst.usd - request.usd),
    tokens: Math.max(0, worst.tokens - request.tokens),
    calls: Math.max(0, worst.calls - request.calls),
  };
}

function zero(): Spend {
  return { usd: 0, tokens: 0, calls: 0 };
}

function format(dimension: keyof Spend, value: number): string {
  if (dimension === 'usd') return `$${value.toFixed(value < 0.01 ? 6 : 4)}`;
  return `${Math.round(value)} ${dimension}`;
}
