import { z } from 'zod';
import type { AgentResult, AgentSpec, TeamSpec } from '../agents/index.js';
import { endsTask, toAgentdError } from '../core/errors.js';
import type { AgentdError } from '../core/errors.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, composePrompt } from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyContext } from './topology.js';

const ForestOptionsSchema = z.strictObject({
  /** The agent (no parent, no children) that synthesises the roots' outputs; needed for several trees. */
  aggregator: z.string().optional(),
});

type ForestOptions = z.infer<typeof ForestOptionsSchema>;

/** A checked forest: children before their parents, each node's children, the roots, the aggregator. */
interface ForestPlan {
  order: AgentSpec[];
  children: Map<string, AgentSpec[]>;
  roots: AgentSpec[];
  aggregator?: AgentSpec;
}

/** Checks the parent links (known, not self, no cycle) and the aggregator, and lays out the trees. */
function planForest(team: TeamSpec, options: ForestOptions): ForestPlan {
  const byName = new Map(team.agents.map((agent) => [agent.name, agent]));
  const names = team.agents.map((a) => a.name).join(', ');
  const children = new Map<string, AgentSpec[]>(team.agents.map((a) => [a.name, []]));
  for (const agent of team.agents) {
    if (agent.parent === undefined) continue;
    if (agent.parent === agent.name) throw invalidTeam('forest', `agent '${agent.name}' is its own parent`);
    const siblings = children.get(agent.parent);
    if (!siblings) {
      throw invalidTeam(
        'forest',
        `agent '${agent.name}' has parent '${agent.parent}', which is not an agent of the team (agents: ${names})`,
      );
    }
    siblings.push(agent);
  }

  // A node has at most one parent, so a cycle shows up as a parent chain that comes back on itself.
  for (const start of team.agents) {
    const chain: string[] = [];
    for (
      let node: AgentSpec | undefined = start;
      node;
      node = node.parent ? byName.get(node.parent) : undefined
    ) {
      const repeat = chain.indexOf(node.name);
      if (repeat >= 0) {
        const cycle = [...chain.slice(repeat), node.name].join(' → ');
        throw invalidTeam('forest', `parent cycle: ${cycle} (each agent's parent is the next)`);
      }
      chain.push(node.name);
    }
  }

  let aggregator: AgentSpec | undefined;
  if (options.aggregator !== undefined) {
    aggregator = agentNamed(team, 'forest', 'aggregator', options.aggregator);
    if (aggregator.parent !== undefined) {
      throw invalidTeam(
        'forest',
        `the aggregator '${aggregator.name}' must not have a parent (it has '${aggregator.parent}')`,
      );
    }
    const own = children.get(aggregator.name) ?? [];
    if (own.length > 0) {
      throw invalidTeam(
        'forest',
        `the aggregator '${aggregator.name}' must not have children (${own.map((a) => a.name).join(', ')} name it as parent); it synthesises the roots' outputs`,
      );
    }
  }
  const roots = team.agents.filter((a) => a.parent === undefined && a !== aggregator);
  if (roots.length === 0) throw invalidTeam('forest', 'needs at least one tree besides the aggregator');
  if (roots.length > 1 && !aggregator) {
    throw invalidTeam(
      'forest',
      `has ${roots.length} trees (roots: ${roots.map((a) => a.name).join(', ')}); set options.aggregator to an agent ` +
        "with no parent and no children that synthesises the roots' outputs",
    );
  }

  // Children before parents, so each node's promise can be built from its children's.
  const order: AgentSpec[] = [];
  const place = (agent: AgentSpec): void => {
    for (const child of children.get(agent.name) ?? []) place(child);
    order.push(agent);
  };
  roots.forEach(place);
  return { order, children, roots, ...(aggregator ? { aggregator } : {}) };
}

/** How a node ended: its result, its own failure, or not run because every agent under it failed. */
type NodeOutcome =
  { status: 'done'; result: AgentResult } | { status: 'failed'; error: AgentdError } | { status: 'skipped' };

/** What a synthesising agent is shown of one agent under it: its output, or why there is none. */
function outcomeSection(agent: string, outcome: NodeOutcome): { label: string; text: string } {
  if (outcome.status === 'done') return { label: `Output of ${agent}`, text: outcome.result.output };
  if (outcome.status === 'failed') return { label: `${agent} failed`, text: outcome.error.message };
  return { label: `${agent} failed`, text: 'every agent under it failed' };
}

/**
 * Independent trees from `parent` links: leaves work on the task at once, each parent synthesises
 * its children's outputs once they have all finished, and the result is the single root's output or
 * the aggregator's synthesis of all roots. A failed agent is tolerated: its parent synthesises the
 * remaining children, told which failed (a parent all of whose children failed does not run), and
 * failures are listed in details. The run fails when no root produced an output (with the first
 * failure in team order) or when the aggregator fails; task-ending errors are rethrown unchanged.
 */
export const forestTopology = defineTopology({
  name: 'forest',
  description:
    'Independent trees: leaves work on the task, each parent synthesises its children, roots are merged.',
  options: ForestOptionsSchema,
  agentFields: ['parent'],
  validate(team, options) {
    planForest(team, options);
  },
  async run(team, options, ctx) {
    const plan = planForest(team, options);
    // Scopes are named and created up front in team order, so each node's step identities do not
    // depend on which node happens to start first.
    const scopes = new Map<string, TopologyContext>(
      team.agents.map((a) => [a.name, ctx.scope(`forest:${a.name}`)]),
    );
    const scopeOf = (agent: AgentSpec): TopologyContext => scopes.get(agent.name) as TopologyContext;

    const outcomes = new Map<string, Promise<NodeOutcome>>();
    const runNode = async (agent: AgentSpec, children: readonly AgentSpec[]): Promise<NodeOutcome> => {
      const settled = await Promise.all(
        children.map((child) => outcomes.get(child.name) as Promise<NodeOutcome>),
      );
      if (children.length > 0 && settled.every((outcome) => outcome.status !== 'done'))
        return { status: 'skipped' };
      const prompt =
        children.length === 0
          ? ctx.prompt
          : composePrompt(
              ctx.prompt,
              children.map((child, index) => outcomeSection(child.name, settled[index] as NodeOutcome)),
              `(The ${children.length} agents under you worked on the task; their outputs are above. ` +
                'Synthesise them into one answer to the task: keep what is right, resolve disagreements, drop what is wrong.)',
            );
      try {
        return { status: 'done', result: await scopeOf(agent).runAgent(agent, { prompt }) };
      } catch (error) {
        // Kept as a value so the rest of the forest finishes; reported in details or rethrown below.
        return { status: 'failed', error: toAgentdError(error) };
      }
    };
    for (const agent of plan.order) {
      outcomes.set(agent.name, runNode(agent, plan.children.get(agent.name) ?? []));
    }
    const nodes = team.agents.filter((a) => a !== plan.aggregator);
    const settled = await Promise.all(nodes.map((a) => outcomes.get(a.name) as Promise<NodeOutcome>));

    const failures: { agent: string; error: AgentdError }[] = [];
    const skipped: string[] = [];
    nodes.forEach((agent, index) => {
      const outcome = settled[index];
      if (outcome?.status === 'failed') failures.push({ agent: agent.name, error: outcome.error });
      if (outcome?.status === 'skipped') skipped.push(agent.name);
    });
    const fatal = failures.find((f) => endsTask(f.error));
    if (fatal) throw fatal.error;

    const rootOutcomes = await Promise.all(
      plan.roots.map((root) => outcomes.get(root.name) as Promise<NodeOutcome>),
    );
    const rootResults = rootOutcomes.flatMap((outcome) =>
      outcome.status === 'done' ? [outcome.result] : [],
    );
    // Every root failed or was skipped, so some agent failed on its own: the first one is the cause.
    const [firstFailure] = failures;
    if (rootResults.length === 0 && firstFailure) throw firstFailure.error;

    let output = rootResults[0]?.output ?? '';
    if (plan.aggregator) {
      const merged = await scopeOf(plan.aggregator).runAgent(plan.aggregator, {
        prompt: composePrompt(
          ctx.prompt,
          plan.roots.map((root, index) => outcomeSection(root.name, rootOutcomes[index] as NodeOutcome)),
          `(${plan.roots.length} independent teams worked on the task; the outputs of their leads are above. ` +
            'Synthesise them into one answer to the task: keep what is right, resolve disagreements, drop what is wrong.)',
        ),
      });
      output = merged.output;
    }
    return {
      output,
      details: {
        roots: plan.roots.map((a) => a.name),
        aggregator: plan.aggregator?.name ?? null,
        failures: failures.map((f) => ({ agent: f.agent, code: f.error.code, message: f.error.message })),
        skipped,
      },
    };
  },
});
