import { mkdir } from 'node:fs/promises';
import type { z } from 'zod';
import { join } from 'node:path';
import { nativeAgentRunner } from '../agents/index.js';
import type { AgentContext, AgentRouting, AgentSpec, TeamSpec } from '../agents/index.js';
import { createBudget, tightestLimits } from '../budget/index.js';
import type { Budget } from '../budget/index.js';
import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { BudgetExceededError, toAgentdError } from '../core/errors.js';
import type { Json } from '../core/json.js';
import type { Logger } from '../core/logger.js';
import { validate } from '../core/validate.js';
import { createLoopGuard, SYSTEM_AGENTS, TASK_FATAL_CODES, TaskSuspendedError } from '../executor/index.js';
import type { DurableContext, TaskScope, TaskWorkflow } from '../executor/index.js';
import type { ResolvedModel } from '../models/index.js';
import {
  ExtractedFactsSchema,
  extractFactsByRules,
  FACT_EXTRACTION_INSTRUCTIONS,
  factExtractionPrompt,
  NOTES_SUMMARY_INSTRUCTIONS,
  notesSummaryPrompt,
  teamSignature,
} from '../memory/index.js';
import type { ExtractedFact, MemoryService } from '../memory/index.js';
import type { ModelRouter } from '../router/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type { VerdictStore } from '../store/verdict-store.js';
import type { TaskNotes, ToolRegistry } from '../tools/index.js';
import type { PreparedTeam, TeamRunEnvironment } from '../topology/index.js';
import type { Tracer } from '../trace/index.js';
import { calibrateJudges } from './calibrate-judges.js';
import { forgeDesign, loadRubric, runQualityLoop } from './quality-loop.js';
import type { QualityOutcome } from './quality-loop.js';
import { TaskInputSchema } from './task-input.js';
import type { TaskInput } from './task-input.js';

/** The agent that extracts facts when `memory.facts.extract` is `model`. */
const FACT_EXTRACTOR: AgentSpec = {
  name: SYSTEM_AGENTS.memory,
  role: 'Extracts facts worth remembering',
  instructions: FACT_EXTRACTION_INSTRUCTIONS,
  tools: [],
  temperature: 0,
};

/** The agent that condenses a task's old working notes when they pass their budget. */
const NOTES_SUMMARISER: AgentSpec = {
  name: SYSTEM_AGENTS.memory,
  role: 'Condenses working notes',
  instructions: NOTES_SUMMARY_INSTRUCTIONS,
  tools: [],
  temperature: 0,
};

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
  /**
   * The checks a request passes before it becomes a task (run again on resume); `simulated`: some
   * agent runs on the simulated model (a dry run).
   */
  preflight(input: TaskInput): { prepared: PreparedTeam; simulated: boolean };
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
    // A dry run's answers are samples, not knowledge: it leaves only an episode tagged as such (no
    // facts, no procedure outcome), and real tasks do not recall that.
    const { prepared, simulated: dryRun } = deps.preflight(input);
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
    const tenant = input.tenant ?? config.memory.tenant;
    if (memory) {
      agents.notes = taskNotes(
        memory,
        scope,
        { tenant, team: prepared.team.name, dryRun },
        notesSummariser(scope, agents, budget),
      );
    }
    // Journaled, so a resumed task sees the memories its first run saw.
    const recalled = memory
      ? await scope.durable.step('memory:recall', async () => {
          try {
            const { block } = await memory.recall({ tenant, text: input.prompt, now: clock.now(), dryRun });
            return block;
          } catch (error) {
            memoryFailed(scope, 'recall', error);
            return '';
          }
        })
      : '';
    const prompt = recalled ? `${String(recalled)}\n\n${input.prompt}` : input.prompt;
    /** The models that answered; for a run that failed before any did, the ones its agents were pinned to. */
    const models = async () => {
      const used = new Set((await ledger.listByTask(scope.task.id)).map((row) => row.modelId));
      if (used.size > 0) return [...used];
      return [...new Set(prepared.team.agents.flatMap((agent) => deps.routing(agent, input).pinned ?? []))];
    };
    /** What every finished task leaves behind: an episode and a procedure outcome (and, if it succeeded, facts). */
    const remember = async (
      outcome: 'succeeded' | 'failed',
      detail: { output?: string; error?: string; verdict?: string },
      team: TeamSpec = prepared.team,
    ) => {
      if (!memory) return;
      const durationMs = clock.now() - (scope.task.startedAt ?? clock.now());
      await scope.durable.step('memory:episode', async () => {
        const written = await memory.recordEpisode(
          {
            tenant,
            taskId: scope.task.id,
            prompt: input.prompt,
            team: team.name,
            topology: team.topology,
            models: await models(),
            outcome,
            ...detail,
            costUsd: (await ledger.totals({ taskId: scope.task.id })).costUsd,
            durationMs,
            dryRun,
          },
          clock.now(),
        );
        return written.id;
      });
      if (dryRun) return;
      if (outcome === 'succeeded' && detail.output !== undefined && config.memory.facts.extract !== 'off') {
        await rememberFacts({ scope, input, team, output: detail.output, agents, budget });
      }
      await scope.durable.step('memory:procedure', async () => {
        const totals = await ledger.totals({ taskId: scope.task.id });
        const procedure = await memory.recordProcedure(
          {
            tenant,
            taskId: scope.task.id,
            taskKind: input.routing?.kind ?? deps.router.classify(input.prompt).kind,
            topology: team.topology,
            teamSignature: teamSignature(team),
            models: await models(),
            passed: outcome === 'succeeded',
            costUsd: totals.costUsd,
            durationMs,
          },
          clock.now(),
        );
        return procedure.memoryId;
      });
    };

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
      runner: nativeAgentRunner,
      localModels: deps.localModels,
      maxDepth: config.executor.maxDepth,
    };
    if (input.calibrate) {
      const { rubric, hash } = await loadRubric(input.calibrate.rubric);
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
      return { output: JSON.stringify(report, null, 2), details: report as unknown as Json };
    }
    if (input.forge === 'design') {
      const taskKind = input.routing?.kind ?? deps.router.classify(input.prompt).kind;
      const design = await forgeDesign(
        loopDeps,
        { scope, input, recalled: String(recalled), environment, budget },
        { durable: scope.durable, feedback: '', taskKind },
      );
      const report = {
        source: design.source,
        attempts: design.attempts,
        errors: design.errors,
        design: design.design,
      };
      return { output: JSON.stringify(report, null, 2), details: report as unknown as Json };
    }
    let outcome: QualityOutcome;
    try {
      outcome = await runQualityLoop(loopDeps, {
        scope,
        input,
        prepared,
        prompt,
        recalled: String(recalled),
        environment,
        budget,
      });
    } catch (error) {
      // A failed task leaves an episode too; a suspended or cancelled one has not ended.
      if (!(error instanceof TaskSuspendedError) && !scope.durable.signal.aborted) {
        await remember('failed', { error: toAgentdError(error).code }).catch(() => {
          // The task's own failure is what the user must see, not a failure to remember it.
        });
      }
      throw error;
    }
    await remember('succeeded', { output: outcome.output, verdict: outcome.verdict }, outcome.team).catch(
      (error: unknown) => {
        // Stopped (cancelled, shutting down): the task has not ended. Otherwise its answer stands.
        if (scope.durable.signal.aborted) throw error;
        memoryFailed(scope, 'episode, facts or procedure', error);
      },
    );
    return { output: outcome.output, ...(outcome.details !== undefined ? { details: outcome.details } : {}) };
  };

  /** Reports a memory step that failed; the task goes on without it. */
  function memoryFailed(scope: TaskScope, what: string, error: unknown): void {
    const { code, message } = toAgentdError(error);
    deps.logger.warn(
      `memory: task ${scope.task.id}'s ${what} failed (${code}): ${message}; the task goes on`,
      {
        taskId: scope.task.id,
        code,
      },
    );
  }

  /**
   * Facts from the task's prompt and output into the semantic layer: by rules, or by one structured
   * model call made like any agent's (routed, budgeted, journaled, traced).
   */
  async function rememberFacts(task: {
    scope: TaskScope;
    input: TaskInput;
    team: TeamSpec;
    output: string;
    agents: TeamRunEnvironment['agents'];
    budget: Budget;
  }): Promise<void> {
    const { scope, input, team, output } = task;
    const memory = deps.memory as MemoryService;
    const settings = config.memory.facts;
    const tenant = input.tenant ?? config.memory.tenant;
    let facts: ExtractedFact[];
    if (settings.extract === 'model') {
      const durable = scope.durable.scope('memory:facts');
      const answer = await nativeAgentRunner.run(
        FACT_EXTRACTOR,
        { prompt: factExtractionPrompt({ prompt: input.prompt, output }), schema: ExtractedFactsSchema },
        { ...task.agents, durable, budget: task.budget, parentSpan: scope.span },
      );
      const data = answer.data as z.infer<typeof ExtractedFactsSchema>;
      facts = data.facts.map((fact) => ({
        content: fact.statement,
        importance: fact.importance,
        source: output,
      }));
    } else {
      const max = settings.maxPerTask;
      facts = [
        ...extractFactsByRules(input.prompt, { max, importance: 0.6 }),
        ...extractFactsByRules(output, { max }),
      ];
    }
    // A "fact" that echoes an agent's instructions is refused.
    const instructions = team.agents.flatMap((agent) => (agent.instructions ? [agent.instructions] : []));
    await scope.durable.step('memory:facts/write', async () => {
      const outcomes = await memory.rememberFacts(
        { tenant, team: team.name, taskId: scope.task.id, step: 'memory:facts', facts, instructions },
        clock.now(),
      );
      return outcomes.map((o) => o.outcome);
    });
  }

  /**
   * The task's working memory, as the `notes` tool uses it. Past the budget, old notes are condensed
   * by a model (`memory.working.overflow: model`, when a real model exists) or dropped by importance.
   */
  function taskNotes(
    memory: MemoryService,
    scope: TaskScope,
    { tenant, team, dryRun }: { tenant: string; team: string; dryRun: boolean },
    summarise: (notes: readonly string[], step: string) => Promise<string>,
  ): TaskNotes {
    // The simulated model cannot summarise: a dry run drops notes instead.
    const byModel = config.memory.working.overflow === 'model' && !dryRun;
    // One change at a time: two agents adding notes at once must not fold the same notes twice.
    let changes: Promise<unknown> = Promise.resolve();
    const working = (step: string | undefined) =>
      memory.workingMemory({
        tenant,
        taskId: scope.task.id,
        team,
        now: () => clock.now(),
        ...(byModel && step !== undefined ? { summarise: (notes) => summarise(notes, step) } : {}),
      });
    return {
      async add(note) {
        const next = changes.then(() =>
          working(note.step).add({ content: note.content, importance: note.importance, agent: note.agent }),
        );
        changes = next.catch(() => undefined);
        await next;
      },
      async read() {
        return (await working(undefined).notes()).map((n) => ({
          content: n.content,
          agent: n.agent,
          importance: n.importance,
        }));
      },
    };
  }

  /**
   * Condenses old notes by a model, from inside the `notes` tool step that overflowed: its calls are
   * journaled in a scope named after that step, so a tool step re-run after a crash replays the
   * summary instead of paying for it twice. A failed call returns '' (the notes are then dropped by
   * importance); cancellation, suspension and budget exhaustion end the task as usual.
   */
  function notesSummariser(
    scope: TaskScope,
    agents: TeamRunEnvironment['agents'],
    budget: Budget,
  ): (notes: readonly string[], step: string) => Promise<string> {
    const scopes = new Map<string, DurableContext>();
    return async (notes, step) => {
      let durable = scopes.get(step);
      if (!durable) {
        durable = scope.durable.scope(`memory:notes@${step.replaceAll('/', '.')}`);
        scopes.set(step, durable);
      }
      try {
        const answer = await nativeAgentRunner.run(
          NOTES_SUMMARISER,
          { prompt: notesSummaryPrompt(notes) },
          { ...agents, durable, budget, parentSpan: scope.span },
        );
        return answer.output;
      } catch (error) {
        if (TASK_FATAL_CODES.has(toAgentdError(error).code) || durable.signal.aborted) throw error;
        return '';
      }
    };
  }

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
