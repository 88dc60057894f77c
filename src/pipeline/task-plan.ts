import { defaultAgent } from '../agents/index.js';
import type { AgentRouting, AgentSpec, TeamSpec } from '../agents/index.js';
import type { AgentdConfig } from '../config/index.js';
import { AgentdError } from '../core/errors.js';
import { commandAllowed, loadRubric } from '../judge/index.js';
import type { ModelInventory } from '../models/index.js';
import type { ModelRouter, RouterConfig } from '../router/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { prepareTeam } from '../topology/index.js';
import type { PreparedTeam } from '../topology/index.js';
import { validate } from '../core/validate.js';
import '../executor/executor-error-codes.js';
import type { TaskRecord } from '../store/task-store.js';
import { TaskInputSchema } from './task-input.js';
import type { TaskInput } from './task-input.js';
import './pipeline-error-codes.js';

/**
 * What a request becomes once every check that needs no model call has passed: the team checked
 * against its topology, and whether any agent runs on the simulated model (a dry run).
 */
export interface TaskPlan {
  input: TaskInput;
  prepared: PreparedTeam;
  simulated: boolean;
}

/** What planning reads from the runtime. */
export interface TaskPlannerDependencies {
  config: Pick<AgentdConfig, 'quality'>;
  router: ModelRouter;
  tools: ToolRegistry;
  models: ModelInventory;
  defaultModel: string;
  /** The `router` section as last (re)loaded. */
  routerSettings(): RouterConfig;
}

/** Plans tasks and says how each agent's calls are routed. */
export interface TaskPlanner {
  /**
   * Checks a validated request before it becomes a task, so a bad one never creates a task: the
   * team's shape, models, tools, rubric files and command checks. Throws the first problem found.
   */
  plan(input: TaskInput): Promise<TaskPlan>;
  /** Hands `plan` to the first run of task `taskId` in this process (see planOf). */
  keep(taskId: string, plan: TaskPlan): void;
  /**
   * The plan of a task's run: the one kept for it at submission, taken once by its first run; else
   * (a resume in another process after a restart, or a run after a human wait) its stored request
   * planned again, its shape, models and tools checked against the config as it is now.
   */
  planOf(task: TaskRecord): TaskPlan;
  /** How an agent's calls are routed in a task with this input. */
  routing(agent: AgentSpec, input: TaskInput): AgentRouting;
}

/** Creates the planner of a runtime. */
export function createTaskPlanner(deps: TaskPlannerDependencies): TaskPlanner {
  const { config, router, tools, models } = deps;
  // Plans of tasks submitted here whose first run has not taken them yet.
  const kept = new Map<string, TaskPlan>();

  /** The model an agent starts with: the request's, its own, or (unless the router picks) the default. */
  function pinnedModel(agent: AgentSpec, input: TaskInput): string | undefined {
    if (input.model) return input.model;
    if (agent.model) return agent.model;
    const routed =
      agent.requirements !== undefined ||
      input.routing !== undefined ||
      deps.routerSettings().unpinned === 'route';
    return routed ? undefined : deps.defaultModel;
  }

  function routing(agent: AgentSpec, input: TaskInput): AgentRouting {
    const own = agent.requirements ?? {};
    const task = input.routing ?? {};
    const pick = <K extends 'kind' | 'objective' | 'strategy' | 'minQuality' | 'maxLatencyMs' | 'maxCostUsd'>(
      key: K,
    ) => own[key] ?? task[key];
    const constraints = {
      ...(pick('minQuality') !== undefined ? { minQuality: pick('minQuality') } : {}),
      ...(pick('maxLatencyMs') !== undefined ? { maxLatencyMs: pick('maxLatencyMs') } : {}),
      ...(pick('maxCostUsd') !== undefined ? { maxCostUsd: pick('maxCostUsd') } : {}),
    };
    const settings = deps.routerSettings();
    return {
      pinned: pinnedModel(agent, input),
      kind: pick('kind'),
      objective: pick('objective'),
      constraints,
      strategy: pick('strategy') ?? settings.strategy,
      cascadeModels: settings.cascade.maxModels,
    };
  }

  /** The team's shape, each agent's model (or one the router can pick) and tools. */
  function prepare(input: TaskInput): { prepared: PreparedTeam; simulated: boolean } {
    const prepared = prepareTeam(teamOf(input));
    let simulated = false;
    const agents = [
      ...prepared.team.agents,
      ...Object.values(prepared.team.subteams ?? {}).flatMap((team) => team.agents),
    ];
    for (const agent of agents) {
      const pinned = pinnedModel(agent, input);
      // A routed agent runs on the simulated model only when it is the only one there is.
      simulated ||=
        pinned === undefined ? models.onlySimulated : models.registry.resolve(pinned).info.simulated;
      // A routed agent needs at least one model with the capabilities it states (or throws).
      if (pinned === undefined) {
        const wants = agent.requirements ?? {};
        router.decide(
          {
            kind: 'chat',
            needs: {
              tools: wants.tools === true || agent.tools.length > 0,
              json: wants.json,
              vision: wants.vision,
            },
            inputTokens: 0,
            maxOutputTokens: 1,
          },
          { explain: true },
        );
      }
      tools.select(agent.tools);
    }
    return { prepared, simulated };
  }

  /** Judging that cannot work, rubric files that do not load, and command checks that may not run. */
  async function checkQuality(input: TaskInput): Promise<void> {
    // Judges asked for with nothing to judge against would leave the output silently unjudged.
    const judging = input.quality?.judging;
    if (
      (judging === 'single' || judging === 'panel') &&
      (input.quality?.rubric ?? config.quality.rubric) === undefined &&
      input.forge !== true
    ) {
      throw new AgentdError({
        code: 'quality.no_rubric',
        message: `judging '${judging}' needs a rubric: give one (--rubric FILE, quality.rubric) or let Forge design one (--forge)`,
        details: { path: 'quality.rubric' },
      });
    }
    // A rubric file that is missing or invalid is the request's fault: refused before a task exists.
    const checks = [...(input.quality?.checks ?? [])];
    for (const rubric of [input.quality?.rubric ?? config.quality.rubric, input.calibrate?.rubric]) {
      if (rubric === undefined) continue;
      checks.push(...((await loadRubric(rubric, config.quality.rubricDir)).rubric.checks ?? []));
    }
    // A command check that may not run would fail every round for reasons the agents cannot fix.
    for (const check of checks) {
      if (check.type === 'command' && !commandAllowed(check.argv, config.quality.allowedCommands)) {
        throw new AgentdError({
          code: 'quality.command_not_allowed',
          message: `check '${check.argv.join(' ')}' runs a program quality.allowedCommands does not allow (allowed: ${config.quality.allowedCommands.join(', ') || 'none'})`,
        });
      }
    }
  }

  return {
    async plan(input) {
      await checkQuality(input);
      return { input, ...prepare(input) };
    },
    keep(taskId, plan) {
      kept.set(taskId, plan);
    },
    planOf(task) {
      const plan = kept.get(task.id);
      if (plan) {
        kept.delete(task.id);
        return plan;
      }
      // A stored request was validated when it was submitted; it is read back, not trusted blindly.
      const input = validate(TaskInputSchema, task.input, { where: `task ${task.id}`, code: 'task.invalid' });
      return { input, ...prepare(input) };
    },
    routing,
  };
}

function teamOf(input: TaskInput): TeamSpec {
  if (input.team) return input.team;
  return { name: 'single', topology: 'single', options: {}, agents: [input.agent ?? defaultAgent()] };
}
