import { z } from 'zod';
import type { AgentResult, AgentSpec, TeamSpec } from '../agents/index.js';
import type { AgentdError } from '../core/errors.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import {
  agentNamed,
  agentsExcept,
  composePrompt,
  majorityAnswer,
  normalizeAnswer,
  outputSections,
} from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyResult } from './topology.js';

const ParallelOptionsSchema = z.strictObject({
  /** How the outputs become one: labelled sections, a majority vote, or an aggregator's synthesis. */
  merge: z.enum(['concat', 'vote', 'synthesize']).default('concat'),
  /** `synthesize` only: the agent that merges the outputs; it does not work on the task itself. */
  aggregator: z.string().optional(),
});

type ParallelOptions = z.infer<typeof ParallelOptionsSchema>;

/** The aggregator (when there is one) and the agents that work on the task at once. */
function parallelRoles(
  team: TeamSpec,
  options: ParallelOptions,
): { aggregator?: AgentSpec; workers: AgentSpec[] } {
  const aggregator =
    options.aggregator === undefined
      ? undefined
      : agentNamed(team, 'parallel', 'aggregator', options.aggregator);
  return { ...(aggregator ? { aggregator } : {}), workers: agentsExcept(team, aggregator) };
}

/** One answer's tally: its text as first given, how many agents gave it (after normalisation), and who. */
interface VoteCount {
  answer: string;
  votes: number;
  agents: string[];
}

/** Every distinct normalised answer with its votes, in order of first appearance (agent order). */
function countVotes(results: readonly AgentResult[]): VoteCount[] {
  const counts = new Map<string, VoteCount>();
  for (const result of results) {
    const key = normalizeAnswer(result.output);
    const entry = counts.get(key);
    if (entry) {
      entry.votes++;
      entry.agents.push(result.agent);
    } else {
      counts.set(key, { answer: result.output, votes: 1, agents: [result.agent] });
    }
  }
  return [...counts.values()];
}

/**
 * All agents work on the task at once; their outputs are merged as labelled sections (`concat`),
 * by majority vote (`vote`, ties go to the answer given first in agent order) or by an aggregator
 * agent that sees the task and every output (`synthesize`). A failed agent is tolerated: the others'
 * outputs are merged and the failure is listed in details (and, for `concat`, in the output). If
 * every agent fails, the run fails with the first agent's error; an aggregator failure fails the run.
 */
export const parallelTopology = defineTopology({
  name: 'parallel',
  description:
    'All agents work on the task at once; their outputs are concatenated, voted on or synthesised.',
  options: ParallelOptionsSchema,
  validate(team, options) {
    if (options.merge === 'synthesize' && options.aggregator === undefined) {
      throw invalidTeam(
        'parallel',
        'merge: synthesize needs options.aggregator naming the agent that merges the outputs',
      );
    }
    if (options.merge !== 'synthesize' && options.aggregator !== undefined) {
      throw invalidTeam(
        'parallel',
        `options.aggregator is only used with merge: synthesize (merge is '${options.merge}'); remove it or set merge: synthesize`,
      );
    }
    const { aggregator, workers } = parallelRoles(team, options);
    if (workers.length < 2) {
      throw invalidTeam(
        'parallel',
        `needs at least 2 agents working on the task${aggregator ? ` besides the aggregator '${aggregator.name}'` : ''}, the team has ${workers.length}`,
      );
    }
  },
  async run(team, options, ctx): Promise<TopologyResult> {
    const { aggregator, workers } = parallelRoles(team, options);
    if (options.merge === 'synthesize' && !aggregator) {
      throw invalidTeam(
        'parallel',
        'merge: synthesize needs options.aggregator naming the agent that merges the outputs',
      );
    }
    const prompt =
      options.merge === 'vote'
        ? composePrompt(
            ctx.prompt,
            [],
            `(${workers.length} agents answer this independently and the majority answer wins: reply with your final answer only, as briefly as the task allows.)`,
          )
        : ctx.prompt;
    const settled = await ctx.parallel(
      workers.map((agent) => (branch) => branch.runAgent(agent, { prompt })),
    );

    const results: AgentResult[] = [];
    const failures: { agent: string; error: AgentdError }[] = [];
    settled.forEach((outcome, index) => {
      const agent = (workers[index] as AgentSpec).name;
      if (outcome.ok) results.push(outcome.value);
      else failures.push({ agent, error: outcome.error });
    });
    // Nothing to merge: the first failure (in agent order) is the most useful error to surface.
    if (results.length === 0 && failures[0]) throw failures[0].error;
    const failureDetails: Json = failures.map((f) => ({
      agent: f.agent,
      code: f.error.code,
      message: f.error.message,
    }));

    if (options.merge === 'vote') {
      const winner = majorityAnswer(results.map((r) => r.output));
      return {
        output: winner?.answer ?? '',
        details: {
          merge: 'vote',
          votes: countVotes(results).map((v) => ({ answer: v.answer, votes: v.votes, agents: v.agents })),
          winnerVotes: winner?.votes ?? 0,
          voters: results.length,
          failures: failureDetails,
        },
      };
    }

    if (options.merge === 'synthesize' && aggregator) {
      const failed = failures.map((f) => ({ label: `${f.agent} failed`, text: f.error.message }));
      const merged = await ctx.runAgent(aggregator, {
        prompt: composePrompt(
          ctx.prompt,
          [...outputSections(results), ...failed],
          `(${workers.length} agents worked on the task independently. Synthesise their outputs above into one answer to the task: keep what is right, resolve disagreements, drop what is wrong.)`,
        ),
      });
      return {
        output: merged.output,
        details: { merge: 'synthesize', aggregator: aggregator.name, failures: failureDetails },
      };
    }

    // concat: every agent in team order, a failed one in its place with the reason.
    const sections = settled.map((outcome, index) => {
      const agent = (workers[index] as AgentSpec).name;
      return outcome.ok
        ? `--- ${agent} ---\n${outcome.value.output}`
        : `--- ${agent} ---\n(${agent} failed: ${outcome.error.message})`;
    });
    return { output: sections.join('\n\n'), details: { merge: 'concat', failures: failureDetails } };
  },
});
