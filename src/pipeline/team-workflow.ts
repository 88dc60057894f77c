import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { agentRunner, createPiiCallGuard } from '../agents/index.js';
import type { AgentContext, AgentGateway, AgentRouting, AgentRunner, AgentSpec } from '../agents/index.js';
import { tightestLimits } from '../budget/index.js';
import type { Budget } from '../budget/index.js';
import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { BudgetExceededError, toAgentdError } from '../core/errors.js';
import { parseJson, toJson } from '../core/json.js';
import type { Logger } from '../core/logger.js';
import { createLoopGuard, TaskSuspendedError } from '../executor/index.js';
import type { TaskScope, TaskWorkflow } from '../executor/index.js';
import type { ResolvedModel } from '../models/index.js';
import type { MemoryService } from '../memory/index.js';
import type { ModelRouter } from '../router/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type { VerdictStore } from '../store/verdict-store.js';
import type { ToolRegistry } from '../tools/index.js';
import type { TaskRecord } from '../store/task-store.js';
import type { Tracer } from '../trace/index.js';
import { createNetGuard, createPolicyRedactor, resolvePiiPolicy } from '../security/index.js';
import { calibrateJudges } from './calibrate-judges.js';
import { loadRubric } from '../judge/index.js';
import { forgeDesign, runQualityLoop } from './quality-loop.js';
import type { QualityOutcome } from './quality-loop.js';
import { createTaskMemory } from './task-memory.js';
import type { TaskPlan } from './task-plan.js';
import type { TaskInput } from './task-input.js';
import { createDailyBudget } from './daily-budget.js';

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
  /** Where a memory failure is reported: it never fails the task whose memory it is. */
  logger: Logger;
  verdicts: VerdictStore;
  /** True when the simulated model is the only one (Forge then designs by heuristic). */
  simulatedOnly: boolean;
  /** The task's plan: the one made when it was submitted here, or made again for a resumed task. */
  planOf(task: TaskRecord): TaskPlan;
  /** How an agent's calls are routed in this task. */
  routing(agent: AgentSpec, input: TaskInput): AgentRouting;
  localModels(): ResolvedModel[];
  /** The budget of the current day, shared with the gateway's standalone calls (default: one of its own). */
  daily?: () => Promise<Budget>;
  /** How foreign-framework agents reach the models (the OpenAI-compatible gateway). */
  gateway?: AgentGateway;
  /** Runs each agent (default: the native runner); tests put stand-ins for foreign agents here. */
  runner?: AgentRunner;
}

/**
 * The workflow every task runs: its team in its topology, under its budget (tightest of the
 * configured, team and request limits, inside the daily limit), with loop protection.
 */
export function createTeamWorkflow(deps: TeamWorkflowDependencies): TaskWorkflow {
  const { config, clock, ledger } = deps;
  const daily = deps.daily ?? createDailyBudget({ dailyUsd: config.budget.dailyUsd, ledger, clock });

  // Remote (A2A) agents reach their peers only through `security.net`, like http_fetch.
  const netGuard = createNetGuard({ config: config.security.net });

  return async (scope: TaskScope) => {
    // A dry run (an agent on the simulated model) leaves memory apart (see createTaskMemory).
    const { input, prepared, simulated: dryRun } = deps.planOf(scope.task);
    // Made when a tool or a workspace check first needs it, not per task (most tasks use no tool).
    const workspace = join(config.home, 'workspaces', scope.task.id);
    let made: Promise<unknown> | undefined;
    const ensureWorkspace = async (): Promise<void> => {
      // Owner-only, like the rest of AGENTD_HOME (a task's files may hold what its prompt held).
      made ??= mkdir(workspace, { recursive: true, mode: 0o700 });
      await made;
    };

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
      ensureWorkspace,
      tracer: deps.tracer,
      tools: deps.tools,
      clock,
      router: deps.router,
      routing: (agent) => deps.routing(agent, input),
      costMeter: scope.costMeter,
      emit: scope.emit,
      guard: createLoopGuard({ repeats: config.executor.loopRepeats, window: config.executor.loopWindow }),
      defaultMaxSteps: config.agents.maxSteps,
      defaultMaxOutputTokens: config.budget.defaultMaxOutputTokens,
      reserveOutput: config.budget.reserveOutput,
      modelTimeoutMs: config.agents.modelTimeoutMs,
      firstTokenTimeoutMs: config.agents.firstTokenTimeoutMs,
      stallTimeoutMs: config.agents.stallTimeoutMs,
      onInterruptedTool: config.tools.onInterrupted,
      // One guard per task: a value keeps its placeholder across the task's calls.
      piiGuard: createPiiCallGuard(resolvePiiPolicy('prompts', config.security.pii.prompts)),
      netGuard,
      gateway: deps.gateway,
      foreign: {
        projectDir: config.agents.projectDir ?? process.cwd(),
        allowedCommands: config.agents.allowedCommands,
        env: config.agentEnv ?? {},
        baseEnv: config.commandEnv,
        logger: deps.logger,
      },
    };
    const { memory } = deps;
    const taskMemory = memory
      ? createTaskMemory(
          { config, clock, ledger, router: deps.router, memory, logger: deps.logger },
          {
            scope,
            input,
            prepared,
            dryRun,
            agents,
            budget,
            pinnedModels: () =>
              prepared.team.agents.flatMap((agent) => deps.routing(agent, input).pinned ?? []),
            localModels: deps.localModels,
          },
        )
      : undefined;
    if (taskMemory) agents.notes = taskMemory.notes;
    // Journaled, so a resumed task sees the memories its first run saw.
    const recalled = taskMemory ? await taskMemory.recall() : '';
    const prompt = recalled ? `${recalled}\n\n${input.prompt}` : input.prompt;

    const loopDeps = {
      config,
      clock,
      ledger,
      verdicts: deps.verdicts,
      router: deps.router,
      memory,
      simulatedOnly: deps.simulatedOnly,
    };
    const environment = {
      agents,
      runner: deps.runner ?? agentRunner,
      localModels: deps.localModels,
      maxDepth: config.executor.maxDepth,
    };
    if (input.calibrate) {
      const { rubric, hash } = await loadRubric(input.calibrate.rubric, config.quality.rubricDir);
      const report = await calibrateJudges(
        { ledger, verdicts: deps.verdicts, now: () => clock.now() },
        { scope, environment, budget },
        {
          rubric,
          rubricHash: hash,
          labels: input.calibrate.labels,
          judges: input.quality?.judges ?? config.quality.judges,
          strategy: input.quality?.strategy ?? config.quality.strategy,
        },
      );
      return { output: JSON.stringify(report, null, 2), details: toJson(report) };
    }
    if (input.forge === 'design') {
      const taskKind = input.routing?.kind ?? deps.router.classify(input.prompt).kind;
      const design = await forgeDesign(
        loopDeps,
        { scope, input, recalled, environment, budget },
        { durable: scope.durable, feedback: '', taskKind },
      );
      const output = JSON.stringify(
        { source: design.source, attempts: design.attempts, errors: design.errors, design: design.design },
        null,
        2,
      );
      // A design's topology options are typed `unknown` (each topology parses its own): the details
      // are the JSON the output shows.
      return { output, details: parseJson(output) };
    }
    let outcome: QualityOutcome;
    try {
      outcome = await runQualityLoop(loopDeps, {
        scope,
        input,
        prepared,
        prompt,
        recalled,
        environment,
        budget,
      });
    } catch (error) {
      // A failed task leaves an episode too; a suspended or cancelled one has not ended.
      if (!(error instanceof TaskSuspendedError) && !scope.durable.signal.aborted) {
        await taskMemory?.remember('failed', { error: toAgentdError(error).code }).catch(() => {
          // The task's own failure is what the user must see, not a failure to remember it.
        });
      }
      throw error;
    }
    await taskMemory?.remember(
      'succeeded',
      { output: outcome.output, verdict: outcome.verdict },
      outcome.team,
    );
    // security.pii.outputs: what the caller gets back and what is stored with the task.
    const output = createPolicyRedactor(resolvePiiPolicy('outputs', config.security.pii.outputs)).redact(
      outcome.output,
      'the task output',
    );
    return { output, ...(outcome.details !== undefined ? { details: outcome.details } : {}) };
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
        message: `task budget: running time passed the limit of ${wallTimeMs} ms (wallTimeMs)`,
        details: { budget: 'task', limit: 'wallTimeMs', limitValue: wallTimeMs },
      }),
    );
  }
}
