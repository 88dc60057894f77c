import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { priceUsage } from '../models/index.js';
import type { ModelCallOutcome, ModelInfo } from '../models/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { Budget } from './budget.js';

/** One model call's hold on its budget: settled to what the call really cost, or released. */
export interface MeteredCall {
  /**
   * Prices the call's measured (or estimated) usage at catalog rates, appends its ledger row and
   * settles the reservation; returns the call's cost and the task's cost so far.
   */
  settle(call: { outcome: ModelCallOutcome }): Promise<{ costUsd: number; taskCostUsd: number }>;
  /** Drops the reservation without a ledger row (the call failed or never ran); no-op once settled. */
  release(): void;
}

/**
 * Prices a task's model calls and keeps its ledger: the one place where a call is priced and a
 * cost row is written, so a reservation and its row can never disagree on the price.
 */
export interface CostMeter {
  /**
   * Reserves a call's worst case (its counted input plus the output cap, at the model's catalog
   * price) in `budget`, or throws `budget.exceeded`. Unbounded budgets only count the call.
   */
  reserve(call: {
    budget: Budget;
    /** The agent the call is made for (the ledger row's `agent`). */
    agent: string;
    info: ModelInfo;
    inputTokens: number;
    maxOutputTokens: number;
  }): MeteredCall;
  /** What the task's calls have cost, those before a restart included. */
  taskCostUsd(): number;
}

/** Creates the cost meter of one task run. */
export function createCostMeter(options: {
  taskId: string;
  ledger: LedgerStore;
  clock: Clock;
  /** What the task's calls cost before this run (its ledger total). */
  spentUsd?: number;
  /** Called once a call's row is written, before its reservation settles (e.g. to mark the task simulated). */
  onRecorded?(call: { info: ModelInfo; costUsd: number }): Promise<void>;
}): CostMeter {
  const { taskId, ledger, clock } = options;
  let taskCostUsd = options.spentUsd ?? 0;
  return {
    reserve({ budget, agent, info, inputTokens, maxOutputTokens }) {
      const reservation = budget.bounded
        ? budget.reserve({
            usd: priceUsage(info, { inputTokens, outputTokens: maxOutputTokens }),
            tokens: inputTokens + maxOutputTokens,
            calls: 1,
          })
        : budget.reserve({ usd: 0, tokens: 0, calls: 1 });
      return {
        async settle({ outcome }) {
          const costUsd = priceUsage(info, outcome);
          await ledger.record({
            id: newId('cost'),
            taskId,
            agent,
            modelId: info.id,
            provider: info.provider,
            inputTokens: outcome.inputTokens,
            outputTokens: outcome.outputTokens,
            costUsd,
            source: outcome.usageSource,
            createdAt: clock.now(),
          });
          await options.onRecorded?.({ info, costUsd });
          taskCostUsd += costUsd;
          reservation.settle({ usd: costUsd, tokens: outcome.inputTokens + outcome.outputTokens, calls: 1 });
          return { costUsd, taskCostUsd };
        },
        release: () => reservation.release(),
      };
    },
    taskCostUsd: () => taskCostUsd,
  };
}

/**
 * Whether a call's reservation depends on its exact input size: the budget (or a parent) limits
 * tokens, or it limits dollars and the model charges for input. Otherwise counting the prompt
 * exactly would change nothing the budget checks, and its upper bound (see `tokenUpperBound`) serves.
 */
export function reservationNeedsExactInput(budget: Budget, info: ModelInfo): boolean {
  return budget.limitedIn('tokens') || (budget.limitedIn('usd') && info.inputPerMTok > 0);
}
