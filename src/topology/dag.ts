import { z } from 'zod';
import type { AgentResult, AgentSpec, TeamSpec } from '../agents/index.js';
import { AgentdError, endsTask, toAgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, composePrompt, outputSections } from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyContext } from './topology.js';

const DagOptionsSchema = z.strictObject({
  /** The agent whose output is the result; needed when several agents have no dependants. */
  output: z.string().optional(),
});

type DagOptions = z.infer<typeof DagOptionsSchema>;

/** A checked DAG: its agents with every dependency before its dependants, and the output node. */
interface DagPlan {
  order: AgentSpec[];
  output: AgentSpec;
}

/** Checks the dependency edges (known, not self, no duplicates, no cycle) and picks the output node. */
function planDag(team: TeamSpec, options: DagOptions): DagPlan {
  const byName = new Map(team.agents.map((agent) => [agent.name, agent]));
  const names = team.agents.map((a) => a.name).join(', ');
  for (const agent of team.agents) {
    const seen = new Set<string>();
    for (const dependency of agent.dependsOn ?? []) {
      if (dependency === agent.name) throw invalidTeam('dag', `agent '${agent.name}' depends on itself`);
      if (!byName.has(dependency)) {
        throw invalidTeam(
          'dag',
          `agent '${agent.name}' depends on '${dependency}', which is not an agent of the team (agents: ${names})`,
        );
      }
      if (seen.has(dependency)) {
        throw invalidTeam('dag', `agent '${agent.name}' lists '${dependency}' twice in dependsOn`);
      }
      seen.add(dependency);
    }
  }

  // Depth-first in team order: the post-order puts every dependency before its dependants, and a
  // dependency found on the current path closes a cycle, which is reported as that path.
  const order: AgentSpec[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (agent: AgentSpec): void => {
    if (done.has(agent.name)) return;
    path.push(agent.name);
    for (const dependency of agent.dependsOn ?? []) {
      const start = path.indexOf(dependency);
      if (start >= 0) {
        const cycle = [...path.slice(start), dependency].join(' → ');
        throw invalidTeam('dag', `dependency cycle: ${cycle} (each agent depends on the next)`);
      }
      visit(byName.get(dependency) as AgentSpec);
    }
    path.pop();
    done.add(agent.name);
    order.push(agent);
  };
  team.agents.forEach(visit);

  if (options.output !== undefined) {
    return { order, output: agentNamed(team, 'dag', 'output', options.output) };
  }
  const dependedOn = new Set(team.agents.flatMap((a) => a.dependsOn ?? []));
  const sinks = team.agents.filter((a) => !dependedOn.has(a.name));
  const [sink] = sinks;
  if (sinks.length !== 1 || !sink) {
    throw invalidTeam(
      'dag',
      `has ${sinks.length} agents no other agent depends on (${sinks.map((a) => a.name).join(', ')}); ` +
        'set options.output to the agent whose output is the result, or make one depend on the others',
    );
  }
  return { order, output: sink };
}

/** How a node ended: its result, its own failure, or not run because a dependency did not finish. */
type NodeOutcome =
  { status: 'done'; result: AgentResult } | { status: 'failed'; error: AgentdError } | { status: 'blocked' };

/**
 * Agents with explicit `dependsOn` edges: each starts as soon as all its dependencies have finished
 * (not level by level) and sees the task plus their outputs. The output node (the single agent no
 * other depends on, or `options.output`) gives the result. A failed node fails the run: its
 * dependants do not run, the nodes that do not depend on it still finish, then the run throws
 * `topology.node_failed` naming the first failed node in team order (task-ending errors such as
 * cancellation or budget are rethrown unchanged).
 */
export const dagTopology = defineTopology({
  name: 'dag',
  description: 'Agents form a dependency graph; each starts once the agents it depends on have finished.',
  options: DagOptionsSchema,
  agentFields: ['dependsOn'],
  validate(team, options) {
    planDag(team, options);
  },
  async run(team, options, ctx) {
    const plan = planDag(team, options);
    // Scopes are named and created up front in team order, so each node's step identities do not
    // depend on which node happens to start first.
    const scopes = new Map<string, TopologyContext>(
      team.agents.map((a) => [a.name, ctx.scope(`dag:${a.name}`)]),
    );

    const runNode = async (
      agent: AgentSpec,
      dependencies: readonly Promise<NodeOutcome>[],
    ): Promise<NodeOutcome> => {
      const settled = await Promise.all(dependencies);
      const inputs: AgentResult[] = [];
      for (const outcome of settled) {
        if (outcome.status !== 'done') return { status: 'blocked' };
        inputs.push(outcome.result);
      }
      const prompt =
        inputs.length === 0
          ? ctx.prompt
          : composePrompt(
              ctx.prompt,
              outputSections(inputs),
              '(The outputs above come from the agents your work depends on. Do your part of the task, building on them.)',
            );
      try {
        return {
          status: 'done',
          result: await (scopes.get(agent.name) as TopologyContext).runAgent(agent, { prompt }),
        };
      } catch (error) {
        // Kept as a value so the other nodes finish; it is rethrown below once every node has settled.
        return { status: 'failed', error: toAgentdError(error) };
      }
    };

    const outcomes = new Map<string, Promise<NodeOutcome>>();
    for (const agent of plan.order) {
      const dependencies = (agent.dependsOn ?? []).map((name) => outcomes.get(name) as Promise<NodeOutcome>);
      outcomes.set(agent.name, runNode(agent, dependencies));
    }
    const settled = await Promise.all(team.agents.map((a) => outcomes.get(a.name) as Promise<NodeOutcome>));

    const failed = team.agents.flatMap((agent, index) => {
      const outcome = settled[index];
      return outcome?.status === 'failed' ? [{ node: agent.name, error: outcome.error }] : [];
    });
    const fatal = failed.find((f) => endsTask(f.error));
    if (fatal) throw fatal.error;
    const [first] = failed;
    if (first) {
      const blocked = team.agents
        .filter((_, index) => settled[index]?.status === 'blocked')
        .map((a) => a.name);
      throw new AgentdError({
        code: 'topology.node_failed',
        // Whatever failed the node decides what its failure means (a bad request, an outage, a guard).
        category: first.error.category,
        message:
          `dag: node '${first.node}' failed: ${first.error.message}` +
          (failed.length > 1
            ? `; also failed: ${failed
                .slice(1)
                .map((f) => f.node)
                .join(', ')}`
            : '') +
          (blocked.length > 0 ? `; not run because a dependency failed: ${blocked.join(', ')}` : ''),
        details: { topology: 'dag', node: first.node, failed: failed.map((f) => f.node), blocked },
        cause: first.error,
      });
    }

    const output = settled[team.agents.indexOf(plan.output)];
    if (output?.status !== 'done') {
      throw new AgentdError({
        code: 'internal.error',
        message: `dag: output node '${plan.output.name}' did not run although no node failed`,
      });
    }
    return {
      output: output.result.output,
      details: {
        nodes: team.agents.map((a) => ({ agent: a.name, dependsOn: a.dependsOn ?? [] })),
        output: plan.output.name,
      },
    };
  },
});
