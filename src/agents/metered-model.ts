import { reservationNeedsExactInput } from '../budget/index.js';
import type { MeteredCall } from '../budget/index.js';
import { observeModelCalls } from '../models/index.js';
import type { LanguageModel, ModelInfo } from '../models/index.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle } from '../trace/index.js';
import type { AgentContext } from './agent-runner.js';
import type { AgentSpec } from './agent-spec.js';
import { endFailedCallSpan } from './model-failure.js';

/** What a metered call used and cost, and what the task has cost so far. */
export interface MeteredUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  taskCostUsd: number;
}

/**
 * The model wrapped so that its call is a `chat` span under the agent's span and settles the call's
 * reservation (a priced ledger row); `usage()` reports what the call used and cost once it
 * has finished.
 */
export function meterModel(
  model: LanguageModel,
  options: {
    agent: AgentSpec;
    ctx: AgentContext;
    agentSpan: SpanHandle;
    info: ModelInfo;
    key: string;
    reservation: MeteredCall;
    /** Hands the ledger row's settlement to the journaled step, to commit with it. */
    commitWith(write: Promise<unknown>): void;
  },
): {
  model: LanguageModel;
  usage(): MeteredUsage;
} {
  const { agent, ctx, agentSpan, info, key, reservation, commitWith } = options;
  const taskId = ctx.durable.taskId;
  let cost = { costUsd: 0, taskCostUsd: 0 };
  let usage = { inputTokens: 0, outputTokens: 0 };
  const observed = observeModelCalls(model, {
    start: () => {
      const span = ctx.tracer.startSpan(`chat ${info.model}`, {
        kind: 'model',
        taskId,
        parent: agentSpan,
        attributes: {
          [ATTR.operationName]: 'chat',
          [ATTR.providerName]: info.provider,
          [ATTR.requestModel]: info.model,
          [ATTR.agentName]: agent.name,
          [ATTR.stepKey]: key,
          [ATTR.simulated]: info.simulated,
          [ATTR.requestMaxTokens]: agent.maxOutputTokens ?? ctx.defaultMaxOutputTokens,
        },
      });
      return {
        finish(outcome) {
          usage = { inputTokens: outcome.inputTokens, outputTokens: outcome.outputTokens };
          const settled = reservation.settle({ outcome });
          commitWith(settled.recorded);
          cost = { costUsd: settled.costUsd, taskCostUsd: settled.taskCostUsd };
          span.setAttributes({
            ...(settled.overMaxTokens === undefined
              ? {}
              : { [ATTR.usageOverMaxTokens]: outcome.outputTokens - settled.overMaxTokens }),
            [ATTR.inputTokens]: outcome.inputTokens,
            [ATTR.outputTokens]: outcome.outputTokens,
            [ATTR.finishReasons]: [outcome.finishReason],
            [ATTR.costUsd]: cost.costUsd,
            ...(outcome.responseModelId ? { [ATTR.responseModel]: outcome.responseModelId } : {}),
          });
          span.end();
        },
        fail(error) {
          endFailedCallSpan(span, error);
        },
      };
    },
  });
  return { model: observed, usage: () => ({ ...usage, ...cost }) };
}

/**
 * Reserves a call's estimate before dispatch (and commits its pending ledger row), waiting while
 * siblings' calls hold the budget; settled to the measured cost when the call ends. The prompt is
 * counted exactly only when the budget's check depends on it (ADR 0032); the output is what the
 * model has needed for this kind of call once it has been seen (ADR 0043). `waitedMs` is the time
 * this took, which is not the model's latency.
 */
export async function reserveCall(
  agent: AgentSpec,
  ctx: AgentContext,
  call: {
    info: ModelInfo;
    kind: string;
    inputTokens: number;
    exactInputTokens(): Promise<number>;
    maxOutputTokens: number;
    signal: AbortSignal;
  },
): Promise<{ reservation: MeteredCall; waitedMs: number }> {
  const { info } = call;
  const started = ctx.clock.now();
  const reservation = await ctx.costMeter.reserve({
    budget: ctx.budget,
    agent: agent.name,
    info,
    inputTokens: reservationNeedsExactInput(ctx.budget, info)
      ? await call.exactInputTokens()
      : call.inputTokens,
    maxOutputTokens: call.maxOutputTokens,
    ...(ctx.reserveOutput === 'cap'
      ? {}
      : {
          expectedOutputTokens: () => ctx.router.expectedOutputTokens({ modelId: info.id, kind: call.kind }),
        }),
    signal: call.signal,
  });
  return { reservation, waitedMs: ctx.clock.now() - started };
}
