import { createBudget } from '../budget/index.js';
import type { Budget } from '../budget/index.js';
import type { Clock } from '../core/clock.js';
import type { LedgerStore } from '../store/ledger-store.js';

/**
 * The budget of the current UTC day, shared by every task of this runtime. Its spend is read from
 * the ledger when the day starts (or the runtime does); reservations of tasks in other processes
 * are not visible here, only their settled cost once a new day budget is read.
 */
export function createDailyBudget(options: {
  dailyUsd: number | undefined;
  ledger: LedgerStore;
  clock: Clock;
}): () => Promise<Budget> {
  let current: { day: number; budget: Budget } | undefined;
  return async () => {
    const day = Math.floor(options.clock.now() / 86_400_000);
    if (current?.day === day) return current.budget;
    const totals =
      options.dailyUsd === undefined ? undefined : await options.ledger.totals({ since: day * 86_400_000 });
    const budget = createBudget({
      name: 'daily',
      limits: options.dailyUsd === undefined ? {} : { usd: options.dailyUsd },
      ...(totals
        ? {
            spent: {
              usd: totals.costUsd,
              tokens: totals.inputTokens + totals.outputTokens,
              calls: totals.calls,
            },
          }
        : {}),
    });
    current = { day, budget };
    return budget;
  };
}
