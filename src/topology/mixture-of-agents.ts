import { z } from 'zod';
import type { AgentResult, AgentSpec, TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, agentsExcept, composePrompt, outputSections } from './team-helpers.js';
import { defineTopology } from './topology.js';

const MixtureOptionsSchema = z.strictObject({
  /** Proposer layers; each layer after the first sees the previous layer's answers. */
  layers: z.number().int().min(1).max(5).default(2),
  /** The agent that synthesises the last layer's answers; the team's last agent by default. */
  aggregator: z.string().min(1).optional(),
});

type MixtureOptions = z.infer<typeof MixtureOptionsSchema>;

/** A proposer that failed in a layer (`layer` counted from 1). */
type ProposerFailure = { layer: number; agent: string; error: { code: string; message: string } };

/**
 * Mixture of agents: `layers` rounds of proposers (every agent but the aggregator) answering in
 * parallel, each layer after the first with the previous layer's answers as references; then the
 * aggregator synthesises the last layer's answers. A failed proposer is reported and left out of the
 * references; a layer in which every proposer fails fails the run.
 */
export const mixtureOfAgentsTopology = defineTopology({
  name: 'mixture-of-agents',
  description: 'Layers of proposers refine each other’s answers; an aggregator synthesises the last layer.',
  options: MixtureOptionsSchema,
  validate(team, options) {
    const aggregator = aggregatorOf(team, options);
    if (agentsExcept(team, aggregator).length < 1) {
      throw invalidTeam(
        'mixture-of-agents',
        `needs at least 1 proposer besides the aggregator '${aggregator.name}', the team has ${team.agents.length} agent`,
      );
    }
  },
  async run(team, options, ctx) {
    const aggregator = aggregatorOf(team, options);
    const proposers = agentsExcept(team, aggregator);
    const failures: ProposerFailure[] = [];
    let references: AgentResult[] = [];

    for (let layer = 1; layer <= options.layers; layer++) {
      const shown = references;
      const settled = await ctx.scope(`layer-${layer}`).parallel(
        proposers.map(
          (proposer) => (branch) =>
            branch.runAgent(proposer, {
              prompt: composePrompt(
                ctx.prompt,
                outputSections(shown, `Reference answer (layer ${layer - 1}) from`),
                layer === 1
                  ? `(You are one of ${proposers.length} proposers. Answer the task.)`
                  : `(Layer ${layer} of ${options.layers}. Use the reference answers above: keep what is right,` +
                      ' correct what is wrong, and give your own best answer to the task.)',
              ),
            }),
        ),
      );
      const answered: AgentResult[] = [];
      const layerFailures: ProposerFailure[] = [];
      settled.forEach((outcome, i) => {
        const proposer = proposers[i] as AgentSpec;
        if (outcome.ok) answered.push(outcome.value);
        else {
          layerFailures.push({
            layer,
            agent: proposer.name,
            error: { code: outcome.error.code, message: outcome.error.message },
          });
        }
      });
      failures.push(...layerFailures);
      if (answered.length === 0) {
        throw new AgentdError({
          code: 'topology.all_agents_failed',
          message: `mixture-of-agents: every proposer failed in layer ${layer} (${layerFailures
            .map((f) => `${f.agent}: ${f.error.message}`)
            .join('; ')})`,
          details: { topology: 'mixture-of-agents', layer },
        });
      }
      references = answered;
    }

    const synthesis = await ctx.runAgent(aggregator, {
      prompt: composePrompt(
        ctx.prompt,
        outputSections(references, 'Proposal from'),
        `(You are the aggregator. Synthesise the ${references.length} proposals above into one best answer to the` +
          ' task: critically weigh them, keep what is right, drop what is wrong. Reply with the answer only.)',
      ),
    });
    return {
      output: synthesis.output,
      details: {
        layers: options.layers,
        proposers: proposers.map((p) => p.name),
        aggregator: aggregator.name,
        failures,
      },
    };
  },
});

/** The named aggregator, or the team's last agent. */
function aggregatorOf(team: TeamSpec, options: MixtureOptions): AgentSpec {
  if (options.aggregator) return agentNamed(team, 'mixture-of-agents', 'aggregator', options.aggregator);
  const last = team.agents.at(-1);
  if (!last) throw invalidTeam('mixture-of-agents', 'needs at least 2 agents, the team has none');
  return last;
}
