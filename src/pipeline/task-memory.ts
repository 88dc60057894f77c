import type { z } from 'zod';
import { expectedInputTokens, nativeAgentRunner } from '../agents/index.js';
import type { AgentSpec, TeamSpec } from '../agents/index.js';
import type { Budget } from '../budget/index.js';
import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { endsTask, toAgentdError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { MEMORY_RECALL_STEP, SYSTEM_AGENTS } from '../executor/index.js';
import type { DurableContext, TaskScope } from '../executor/index.js';
import {
  ExtractedFactsSchema,
  extractFactsByRules,
  LOCAL_ONLY_TAG,
  FACT_EXTRACTION_INSTRUCTIONS,
  factExtractionPrompt,
  NOTES_SUMMARY_INSTRUCTIONS,
  notesSummaryPrompt,
  teamSignature,
} from '../memory/index.js';
import type { ExtractedFact, MemoryService } from '../memory/index.js';
import type { ResolvedModel } from '../models/index.js';
import type { ModelRouter } from '../router/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { TaskNotes } from '../tools/index.js';
import { keepsSensitiveCallsLocal, localOnlyCallPolicy } from '../topology/index.js';
import type { PreparedTeam, TeamRunEnvironment } from '../topology/index.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle } from '../trace/index.js';
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

/** What a task's memory needs from the runtime. */
export interface TaskMemoryDependencies {
  config: AgentdConfig;
  clock: Clock;
  ledger: LedgerStore;
  router: ModelRouter;
  memory: MemoryService;
  /** Where a memory failure is reported: it never fails the task whose memory it is. */
  logger: Logger;
}

/** The task a memory belongs to. */
export interface TaskMemoryContext {
  scope: TaskScope;
  input: TaskInput;
  prepared: PreparedTeam;
  /** Some agent runs on the simulated model: a dry run (see {@link createTaskMemory}). */
  dryRun: boolean;
  /** The agents' context (its `notes` are set from this memory); memory's own model calls use it. */
  agents: TeamRunEnvironment['agents'];
  budget: Budget;
  /** The model ids an agent of the task is pinned to. */
  pinnedModels(): string[];
  /** Models of local providers: where a local-only task's memory calls with sensitive input go. */
  localModels(): readonly ResolvedModel[];
}

/** What one task does with memory: recall before, notes during, and what it leaves behind. */
export interface TaskMemory {
  /** The `notes` tool's scratchpad (working memory). */
  notes: TaskNotes;
  /** The recalled-memory block for the prompt ('' for none); journaled. */
  recall(): Promise<string>;
  /**
   * An episode and a procedure outcome (and, for a succeeded task, facts). A failure is logged, not
   * thrown, unless the task was stopped (cancelled, shutting down).
   */
  remember(
    outcome: 'succeeded' | 'failed',
    detail: { output?: string; error?: string; verdict?: string },
    team?: TeamSpec,
  ): Promise<void>;
}

/**
 * The memory of one task, in its tenant (`input.tenant`, else `memory.tenant`). Every action is a
 * journaled step, so a resumed task sees what its first run recalled and writes nothing twice. A dry
 * run's answers are samples, not knowledge: it leaves only an episode tagged as such (no facts, no
 * procedure outcome), recalled only by other dry runs, and its notes are dropped, not summarised.
 */
export function createTaskMemory(deps: TaskMemoryDependencies, task: TaskMemoryContext): TaskMemory {
  const { config, clock, ledger, memory } = deps;
  const { scope, input, dryRun } = task;
  const tenant = input.tenant ?? config.memory.tenant;
  // A task whose sensitive calls stay on local models leaves memories only such tasks recall.
  const localOnly = keepsSensitiveCallsLocal(task.prepared);
  // Memory's own model calls read the task's prompt and output: they follow the team's policy.
  const callPolicy = localOnlyCallPolicy(task.prepared, () => task.localModels());
  const policed = callPolicy ? { callPolicy } : {};

  /** Reports a memory step that failed; the task goes on without it. */
  function failed(what: string, error: unknown): void {
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
   * What the task's calls cost and the models that answered (for a run that failed before any did,
   * the ones its agents were pinned to), from its ledger rows (those before a restart included).
   */
  async function spending(): Promise<{ models: string[]; costUsd: number }> {
    const rows = await ledger.listByTask(scope.task.id);
    const used = new Set(rows.map((row) => row.modelId));
    return {
      models: used.size > 0 ? [...used] : [...new Set(task.pinnedModels())],
      costUsd: rows.reduce((sum, row) => sum + row.costUsd, 0),
    };
  }
  /**
   * Runs one memory step inside a `memory` span under the task's, so that a trace shows where a
   * task's time went before its first agent and after its last (recall, episode, facts, procedure).
   */
  async function traced<T>(name: string, run: (span: SpanHandle) => Promise<T>): Promise<T> {
    const span = task.agents.tracer.startSpan(name, {
      kind: 'memory',
      taskId: scope.task.id,
      parent: scope.span,
      attributes: { [ATTR.memoryTenant]: tenant },
    });
    try {
      const result = await run(span);
      span.end();
      return result;
    } catch (error) {
      const { code, message } = toAgentdError(error);
      span.end({ code, message });
      throw error;
    }
  }
  // The embedding of the task's prompt, made for recall: the episode is stored with it (on a resumed
  // run, whose recall was replayed, the episode's vector is made in the background).
  let promptVector: Float32Array | undefined;

  async function writeAll(
    outcome: 'succeeded' | 'failed',
    detail: { output?: string; error?: string; verdict?: string },
    team: TeamSpec,
  ): Promise<void> {
    const durationMs = clock.now() - (scope.task.startedAt ?? clock.now());
    await scope.durable.step('memory:episode', () =>
      traced('memory.episode', async (span) => {
        const { models, costUsd } = await spending();
        const written = await memory.recordEpisode(
          {
            tenant,
            taskId: scope.task.id,
            prompt: input.prompt,
            team: team.name,
            topology: team.topology,
            models,
            outcome,
            ...detail,
            costUsd,
            durationMs,
            dryRun,
            tags: localOnly ? [LOCAL_ONLY_TAG] : [],
          },
          clock.now(),
          promptVector,
        );
        if (written) span.setAttributes({ [ATTR.memoryId]: written.id });
        return written?.id ?? null;
      }),
    );
    // The notes stay in the shared store after the task: masked now (idempotent, so not a step).
    await memory.sealWorkingNotes(tenant, scope.task.id);
    if (dryRun) return;
    if (outcome === 'succeeded' && detail.output !== undefined && config.memory.facts.extract !== 'off') {
      const output = detail.output;
      await traced('memory.facts', () => rememberFacts(team, output));
    }
    await scope.durable.step('memory:procedure', () =>
      traced('memory.procedure', async () => {
        const { models, costUsd } = await spending();
        const procedure = await memory.recordProcedure(
          {
            tenant,
            taskId: scope.task.id,
            taskKind: input.routing?.kind ?? deps.router.classify(input.prompt).kind,
            topology: team.topology,
            teamSignature: teamSignature(team),
            models,
            passed: outcome === 'succeeded',
            costUsd,
            durationMs,
          },
          clock.now(),
        );
        return procedure.memoryId;
      }),
    );
  }

  /**
   * Facts from the task's prompt and output into the semantic layer: by rules, or by one structured
   * model call made like any agent's (routed, budgeted, journaled, traced).
   */
  async function rememberFacts(team: TeamSpec, output: string): Promise<void> {
    const settings = config.memory.facts;
    let facts: ExtractedFact[];
    if (settings.extract === 'model') {
      const answer = await nativeAgentRunner.run(
        FACT_EXTRACTOR,
        { prompt: factExtractionPrompt({ prompt: input.prompt, output }), schema: ExtractedFactsSchema },
        {
          ...task.agents,
          durable: scope.durable.scope('memory:facts'),
          budget: task.budget,
          parentSpan: scope.span,
          ...policed,
        },
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
        {
          tenant,
          team: team.name,
          taskId: scope.task.id,
          step: 'memory:facts',
          facts,
          instructions,
          tags: localOnly ? [LOCAL_ONLY_TAG] : [],
        },
        clock.now(),
      );
      return outcomes.map((o) => o.outcome);
    });
  }

  /**
   * Condenses old notes by a model, from inside the `notes` tool step that overflowed: its calls are
   * journaled in a scope named after that step, so a tool step re-run after a crash replays the
   * summary instead of paying for it twice. A failed call returns '' (the notes are then dropped by
   * importance); cancellation, suspension and budget exhaustion end the task as usual.
   */
  const summaryScopes = new Map<string, DurableContext>();
  async function summarise(notes: readonly string[], step: string): Promise<string> {
    let durable = summaryScopes.get(step);
    if (!durable) {
      durable = scope.durable.scope(`memory:notes@${step.replaceAll('/', '.')}`);
      summaryScopes.set(step, durable);
    }
    try {
      const answer = await nativeAgentRunner.run(
        NOTES_SUMMARISER,
        { prompt: notesSummaryPrompt(notes) },
        { ...task.agents, durable, budget: task.budget, parentSpan: scope.span, ...policed },
      );
      return answer.output;
    } catch (error) {
      if (endsTask(toAgentdError(error)) || durable.signal.aborted) throw error;
      return '';
    }
  }

  // Past the budget, old notes are condensed by a model (`memory.working.overflow: model`; the
  // simulated model cannot summarise, so a dry run drops them) or dropped by importance.
  const byModel = config.memory.working.overflow === 'model' && !dryRun;
  const working = (step: string | undefined) =>
    memory.workingMemory({
      tenant,
      taskId: scope.task.id,
      team: task.prepared.team.name,
      now: () => clock.now(),
      ...(byModel && step !== undefined ? { summarise: (notes) => summarise(notes, step) } : {}),
    });
  // One change at a time: two agents adding notes at once must not fold the same notes twice.
  let changes: Promise<unknown> = Promise.resolve();
  const notes: TaskNotes = {
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

  return {
    notes,
    async recall() {
      return scope.durable.step(MEMORY_RECALL_STEP, async () => {
        try {
          return await traced('memory.recall', async (span) => {
            // The smallest of the team's first calls: recall grows none of them past its share.
            const expected = Math.min(
              ...task.prepared.team.agents.map((agent) =>
                expectedInputTokens(agent, task.agents.tools, input.prompt),
              ),
            );
            const { block, vector, memories } = await memory.recall({
              tenant,
              text: input.prompt,
              now: clock.now(),
              dryRun,
              localOnly,
              ...(Number.isFinite(expected) ? { expectedInputTokens: expected } : {}),
            });
            promptVector = vector;
            span.setAttributes({ [ATTR.memoryRecalled]: memories.length });
            return block;
          });
        } catch (error) {
          failed('recall', error);
          return '';
        }
      });
    },
    async remember(outcome, detail, team = task.prepared.team) {
      try {
        await writeAll(outcome, detail, team);
      } catch (error) {
        // Stopped (cancelled, shutting down): the task has not ended. Otherwise its outcome stands.
        if (scope.durable.signal.aborted) throw error;
        failed('episode, facts or procedure', error);
      }
    },
  };
}
