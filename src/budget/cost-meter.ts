import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { priceUsage } from '../models/index.js';
import type { ModelCallOutcome, ModelInfo } from '../models/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { Budget } from './budget.js';

/** What a settled call cost, and the write that makes it durable. */
export interface SettledCall {
  costUsd: number;
  taskCostUsd: number;
  /** The output cap the call asked for, when the provider reported more output than that. */
  overMaxTokens?: number;
  /**
   * The ledger row's settlement, queued in this turn's group commit: the caller hands it to the
   * journaled step (`commitWith`), so the row and the step commit together.
   */
  recorded: Promise<void>;
}

/** One model call's hold on its budget and its ledger row, pending until the call ends. */
export interface MeteredCall {
  /**
   * Prices the call's measured (or estimated) usage at catalog rates and settles the reservation
   * at once; the ledger row's settlement is queued (`recorded`), not awaited.
   */
  settle(call: { outcome: ModelCallOutcome }): SettledCall;
  /**
   * Drops the reservation and the pending row (the call failed or never ran); resolves once the
   * row is gone. Does nothing once settled.
   */
  release(): Promise<void>;
}

/**
 * Prices a task's model calls and keeps its ledger: the one place where a call is priced and a
 * cost row is written, so a reservation and its row can never disagree on the price.
 */
export interface CostMeter {
  /**
   * Reserves a call's worst case in `budget` (its counted input plus the output it may produce, at
   * the model's catalog price) and writes the call's pending ledger row, committed before this
   * resolves: a crash after dispatch leaves the row, at this estimate. A refusal while other calls
   * of the budget are in flight waits for them to settle; `budget.exceeded` when none is left.
   */
  reserve(call: {
    budget: Budget;
    /** The agent the call is made for (the ledger row's `agent`). */
    agent: string;
    info: ModelInfo;
    inputTokens: number;
    /** The output cap the call asks for. */
    maxOutputTokens: number;
    /**
     * The output the call is expected to need at most (learned), or undefined (the cap); asked again
     * each time a refused reservation retries.
     */
    expectedOutputTokens?: () => number | undefined;
    signal?: AbortSignal;
  }): Promise<MeteredCall>;
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
  /** Called when a call settles, with its settlement queued (e.g. to mark the task simulated). */
  onRecorded?(call: { info: ModelInfo; costUsd: number }): Promise<void>;
}): CostMeter {
  const { taskId, ledger, clock } = options;
  let taskCostUsd = options.spentUsd ?? 0;
  return {
    async reserve({ budget, agent, info, inputTokens, maxOutputTokens, expectedOutputTokens, signal }) {
      let estimate = { inputTokens, outputTokens: maxOutputTokens };
      let estimateUsd = 0;
      const request = () => {
        // An unbounded budget checks nothing: the pending row's estimate is the cap, and the hot path
        // asks the router for nothing.
        const expected = budget.bounded ? expectedOutputTokens?.() : undefined;
        estimate = { inputTokens, outputTokens: Math.min(maxOutputTokens, expected ?? maxOutputTokens) };
        estimateUsd = priceUsage(info, estimate);
        // The worst case too: what the call could use beyond its learned reservation counts as
        // committed for the calls after it, so a team passes its cap by one call's shortfall at most.
        const worstUsd = priceUsage(info, { inputTokens, outputTokens: maxOutputTokens });
        return {
          usd: estimateUsd,
          tokens: inputTokens + estimate.outputTokens,
          calls: 1,
          worst: { usd: worstUsd, tokens: inputTokens + maxOutputTokens, calls: 1 },
        };
      };
      const reservation = budget.bounded
        ? await budget.reserveWhenAvailable(request, signal)
        : (request(), budget.reserve({ usd: 0, tokens: 0, calls: 1 }));
      const id = newId('cost');
      // The row stands for the call if the process dies before it settles: at the output cap, an
      // upper bound of what can be billed, even when the reservation holds only the learned length.
      const worst = { inputTokens, outputTokens: maxOutputTokens };
      try {
        await ledger.record({
          id,
          taskId,
          agent,
          modelId: info.id,
          provider: info.provider,
          ...worst,
          costUsd: priceUsage(info, worst),
          source: 'estimated',
          status: 'pending',
          createdAt: clock.now(),
        });
      } catch (error) {
        reservation.release();
        throw error;
      }
      let open = true;
      return {
        settle({ outcome }) {
          const costUsd = priceUsage(info, outcome);
          const overMaxTokens = outcome.outputTokens > maxOutputTokens ? maxOutputTokens : undefined;
          const settlement = ledger.settle(id, {
            inputTokens: outcome.inputTokens,
            outputTokens: outcome.outputTokens,
            costUsd,
            source: outcome.usageSource,
            ...(overMaxTokens === undefined ? {} : { overMaxTokens }),
          });
          const marked = options.onRecorded?.({ info, costUsd });
          const recorded = Promise.all([settlement, marked]).then(() => undefined);
          // Handled here too, so a settlement no step waits for (a failed attempt) is not an
          // unhandled rejection; whoever awaits `recorded` still sees the error.
          recorded.catch(() => undefined);
          open = false;
          taskCostUsd += costUsd;
          reservation.settle({ usd: costUsd, tokens: outcome.inputTokens + outcome.outputTokens, calls: 1 });
          return {
            costUsd,
            taskCostUsd,
            ...(overMaxTokens === undefined ? {} : { overMaxTokens }),
            recorded,
          };
        },
        async release() {
          if (!open) return;
          open = false;
          reservation.release();
          await ledger.discard(id);
        },
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
