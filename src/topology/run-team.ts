import type {
  AgentContext,
  AgentRunner,
  AgentSpec,
  CallPolicy,
  SubTeamSpec,
  TeamSpec,
} from '../agents/index.js';
import type { Budget } from '../budget/index.js';
import { AgentdError, toAgentdError } from '../core/errors.js';
import '../agents/agent-error-codes.js';
import '../executor/executor-error-codes.js';
import type { DurableContext } from '../executor/index.js';
import type { ResolvedModel } from '../models/index.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle } from '../trace/index.js';
import type { PreparedTeam } from './prepare-team.js';
import { prepareTeam } from './registry.js';
import type { TopologyContext, TopologyResult } from './topology.js';

/** What every team run of a task shares: how to run agents and the limits on delegation. */
export interface TeamRunEnvironment {
  /** The agent context without the parts that differ per team run. */
  agents: Omit<AgentContext, 'durable' | 'budget' | 'parentSpan' | 'callPolicy' | 'delegate'>;
  runner: AgentRunner;
  /** Models of local providers, cheapest first. */
  localModels(): ResolvedModel[];
  /** How deep child runs (delegations, sub-teams) may nest; the task's own team is depth 0. */
  maxDepth: number;
}

/** Where one team run sits: its durable scope, its budget, its depth, its span and policy. */
interface RunState {
  durable: DurableContext;
  budget: Budget;
  depth: number;
  span: SpanHandle;
  policy: CallPolicy | undefined;
  /**
   * The team whose agents and sub-teams its agents delegate to: the team being run, or for a
   * delegated teammate the team it belongs to.
   */
  team: TeamSpec | SubTeamSpec;
}

/** Runs a prepared team as the task's top-level team (depth 0) under the task's budget and span. */
export function runTeam(
  prepared: PreparedTeam,
  prompt: string,
  environment: TeamRunEnvironment,
  root: { durable: DurableContext; budget: Budget; span: SpanHandle },
): Promise<TopologyResult> {
  return runPrepared(prepared, prompt, environment, {
    ...root,
    depth: 0,
    policy: undefined,
    team: prepared.team,
  });
}

async function runPrepared(
  prepared: PreparedTeam,
  prompt: string,
  environment: TeamRunEnvironment,
  state: RunState,
): Promise<TopologyResult> {
  const span = environment.agents.tracer.startSpan(`invoke_team ${prepared.team.name}`, {
    kind: 'team',
    taskId: state.durable.taskId,
    parent: state.span,
    attributes: {
      [ATTR.teamName]: prepared.team.name,
      [ATTR.topology]: prepared.team.topology,
      [ATTR.teamDepth]: state.depth,
    },
  });
  try {
    const ctx = topologyContext(prompt, environment, { ...state, span });
    const result = await prepared.topology.run(prepared.team, prepared.options, ctx);
    span.end();
    return result;
  } catch (error) {
    const failure = toAgentdError(error);
    span.end({ code: failure.code, message: failure.message });
    throw failure;
  }
}

function topologyContext(prompt: string, environment: TeamRunEnvironment, state: RunState): TopologyContext {
  let children = 0;
  const { taskId } = state.durable;

  async function childRun(
    team: TeamSpec | SubTeamSpec,
    childPrompt: string,
    /** For a delegated teammate: the team it belongs to, where its own delegation targets are. */
    memberOf?: TeamSpec | SubTeamSpec,
  ): Promise<TopologyResult> {
    const depth = state.depth + 1;
    if (depth > environment.maxDepth) {
      throw new AgentdError({
        code: 'loop.depth_exceeded',
        message:
          `team '${team.name}' would run at delegation depth ${depth}, over the limit of ` +
          `${environment.maxDepth} (executor.maxDepth); agents may be delegating to each other in a loop`,
        details: { depth, maxDepth: environment.maxDepth },
      });
    }
    const prepared = memberOf ? prepareTeammate(team) : prepareTeam(team);
    // Carved from what remains here: a child can never spend more than its parent has left.
    const budget = state.budget.child({
      name: `team '${team.name}'`,
      ...(team.budget ? { limits: team.budget } : {}),
    });
    const durable = state.durable.scope(`team:${team.name}#${++children}`);
    return runPrepared(prepared, childPrompt, environment, {
      ...state,
      durable,
      budget,
      depth,
      team: memberOf ?? prepared.team,
    });
  }

  function delegate(request: { from: AgentSpec; to: string; task: string }): Promise<string> {
    const subteam = 'subteams' in state.team ? state.team.subteams?.[request.to] : undefined;
    if (subteam) return childRun(subteam, request.task).then((result) => result.output);
    const teammate = state.team.agents.find((a) => a.name === request.to);
    if (!teammate) {
      throw new AgentdError({
        code: 'agent.unknown_delegate',
        message: `agent '${request.from.name}' cannot delegate to '${request.to}': no such agent or sub-team`,
      });
    }
    // A delegated teammate stays a member of its team: it can delegate on to its teammates and sub-teams.
    const team: TeamSpec = { name: teammate.name, topology: 'single', agents: [teammate], options: {} };
    return childRun(team, request.task, state.team).then((result) => result.output);
  }

  const ctx: TopologyContext = {
    prompt,
    signal: state.durable.signal,
    runAgent(agent, input) {
      return environment.runner.run(agent, input, {
        ...environment.agents,
        durable: state.durable,
        budget: state.budget,
        parentSpan: state.span,
        delegate,
        ...(state.policy ? { callPolicy: state.policy } : {}),
      });
    },
    parallel(branches) {
      return state.durable.parallel(
        branches.map(
          (branch) => (durable: DurableContext) =>
            branch(topologyContext(prompt, environment, { ...state, durable })),
        ),
      );
    },
    scope(name) {
      return topologyContext(prompt, environment, { ...state, durable: state.durable.scope(name) });
    },
    waitForHuman(request) {
      return state.durable.waitForHuman(request, {
        onRequested: (review) =>
          environment.agents.emit('review-requested', {
            taskId,
            reviewId: review.id,
            kind: review.kind,
            question: review.question,
          }),
      });
    },
    runTeam: childRun,
    withCallPolicy(policy) {
      return topologyContext(prompt, environment, { ...state, policy });
    },
    localModels: () => environment.localModels(),
  };
  return ctx;
}

/**
 * Prepares the one-agent team a delegated teammate runs as. Its delegation targets were checked with
 * the team it belongs to, where they resolve; a team of just this agent would reject them.
 */
function prepareTeammate(team: TeamSpec | SubTeamSpec): PreparedTeam {
  const prepared = prepareTeam({
    ...team,
    agents: team.agents.map(({ delegates: _delegates, ...agent }) => agent),
  });
  return { ...prepared, team: { ...prepared.team, agents: team.agents } };
}
