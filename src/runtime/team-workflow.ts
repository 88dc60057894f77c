import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { nativeAgentRunner } from '../agents/index.js';
import type { AgentContext, AgentRouting, AgentSpec } from '../agents/index.js';
import { createBudget, tightestLimits } from '../budget/index.js';
import type { Budget } from '../budget/index.js';
import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { BudgetExceededError, toAgentdError } from '../core/errors.js';
import { validate } from '../core/validate.js';
import { createLoopGuard, TaskSuspendedError } from '../executor/index.js';
import type { TaskScope, TaskWorkflow } from '../executor/index.js';
import type { ResolvedModel } from '../models/index.js';
import type { MemoryService } from '../memory/index.js';
import type { ModelRouter } from '../router/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type { ToolRegistry } from '../tools/index.js';
import { runTeam } from '../topology/index.js';
import type { PreparedTeam } from '../topology/index.js';
import type { Tracer } from '../trace/index.js';
import { TaskInputSchema } from './task-input.js';
import type { TaskInput } from './task-input.js';

/** What the team workflow needs from the runtime. */
export interface TeamWorkflowDependencies {
  config: AgentdConfig;
  clock: Clock;
  tracer: Tracer;
  tools: ToolRegistry;
  ledger: LedgerStore;
  reviews: ReviewStore;
  router: ModelRouter;
  /** Recall before the task and an episode after it, when memory is enabled. */
  memory: MemoryService | undefined;
  /** The checks a request passes before it becomes a task (run again on resume). */
  preflight(input: TaskInput): { prepared: PreparedTeam };
  /** How an agent's calls are routed in this task. */
  routing(agent: AgentSpec, input: TaskInput): AgentRouting;
  localModels(): ResolvedModel[];
}

/**
 * The workflow every task runs: its team in its topology, under its budget (tightest of the
 * configured, team and request limits, inside the daily limit), with loop protection.
 */
export function createTeamWorkflow(deps: TeamWorkflowDependencies): TaskWorkflow {
  const { config, clock, ledger } = deps;
  const daily = createDailyBudget({ dailyUsd: config.budget.dailyUsd, ledger, clock });

  return async (scope: TaskScope) => {
    const input = validate(TaskInputSchema, scope.task.input, {
      where: `task ${scope.task.id}`,
      code: 'task.invalid',
    });
    const { prepared } = deps.preflight(input);
    const workspace = join(config.home, 'workspaces', scope.task.id);
    await mkdir(workspace, { recursive: true });

    const limits = tightestLimits(config.budget.task, prepared.team.budget, input.budget);
    // Spend survives restarts: it is read back from the ledger, so a resumed task keeps its budget.
    const totals = await ledger.totals({ taskId: scope.task.id });
    const budget = (await daily()).child({
      name: 'task',
      limits,
      spent: { usd: totals.costUsd, tokens: totals.inputTokens + totals.outputTokens, calls: totals.calls },
    });
    if (limits.wallTimeMs !== undefined) await scheduleWallTime(scope, limits.wallTimeMs);

    const agents: Omit<AgentContext, 'durable' | 'budget' | 'parentSpan' | 'callPolicy' | 'delegate'> = {
      workspace,
      tracer: deps.tracer,
      tools: deps.tools,
      clock,
      router: deps.router,
      routing: (agent) => deps.routing(agent, input),
      recordCost: scope.recordCost,
      emit: scope.emit,
      guard: createLoopGuard({ repeats: config.executor.loopRepeats, window: config.executor.loopWindow }),
      defaultMaxSteps: config.agents.maxSteps,
      defaultMaxOutputTokens: config.budget.defaultMaxOutputTokens,
      modelTimeoutMs: config.agents.modelTimeoutMs,
    };
    const { memory } = deps;
    const tenant = config.memory.tenant;
    // Journaled, so a resumed task sees the memories its first run saw.
    const recalled = memory
      ? await scope.durable.step('memory:recall', async () => {
          const { block } = await memory.recall({ tenant, text: input.prompt, now: clock.now() });
          return block;
        })
      : '';
    const prompt = recalled ? `${String(recalled)}\n\n${input.prompt}` : input.prompt;
    const episode = async (outcome: 'succeeded' | 'failed', detail: { output?: string; error?: string }) => {
      if (!memory) return;
      await scope.durable.step('memory:episode', async () => {
        const rows = await ledger.listByTask(scope.task.id);
        const written = await memory.recordEpisode(
          {
            tenant,
            taskId: scope.task.id,
            prompt: input.prompt,
            team: prepared.team.name,
            topology: prepared.team.topology,
            models: [...new Set(rows.map((row) => row.modelId))],
            outcome,
            ...detail,
            costUsd: rows.reduce((total, row) => total + row.costUsd, 0),
            durationMs: clock.now() - (scope.task.startedAt ?? clock.now()),
          },
          clock.now(),
        );
        return written.id;
      });
    };

    let result: Awaited<ReturnType<typeof runTeam>>;
    try {
      result = await runTeam(
        prepared,
        prompt,
        {
          agents,
          runner: nativeAgentRunner,
          localModels: deps.localModels,
          maxDepth: config.executor.maxDepth,
        },
        { durable: scope.durable, budget, span: scope.span },
      );
    } catch (error) {
      // A failed task leaves an episode too; a suspended or cancelled one has not ended.
      if (!(error instanceof TaskSuspendedError) && !scope.durable.signal.aborted) {
        await episode('failed', { error: toAgentdError(error).code }).catch(() => {
          // The task's own failure is what the user must see, not a failure to remember it.
        });
      }
      throw error;
    }
    await episode('succeeded', { output: result.output });
    return result;
  };

  /** Wall time counts running time only: time spent waiting for a human is subtracted. */
  async function scheduleWallTime(scope: TaskScope, wallTimeMs: number): Promise<void> {
    const startedAt = scope.task.startedAt ?? clock.now();
    let waited = 0;
    for (const review of await deps.reviews.list({ taskId: scope.task.id, limit: 10_000 })) {
      if (review.answeredAt !== null) waited += review.answeredAt - review.createdAt;
    }
    const remaining = wallTimeMs - (clock.now() - startedAt - waited);
    scope.deadline(
      remaining,
      new BudgetExceededError({
        category: 'user',
        message: `task budget: running time passed the limit of ${wallTimeMs} ms (wallTimeMs)`,
        details: { budget: 'task', limit: 'wallTimeMs', limitValue: wallTimeMs },
      }),
    );
  }
}

/**
 * The budget of the current UTC day, shared by every task of this runtime. Its spend is read from
 * the ledger when the day starts (or the runtime does); reservations of tasks in other processes
 * are not visible here, only their settled cost once a new day budget is read.
 */
function createDailyBudget(options: {
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
