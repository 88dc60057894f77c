import { z } from 'zod';
import type { AgentResult } from '../agents/index.js';
import { composePrompt, outputSections } from './team-helpers.js';
import { defineTopology } from './topology.js';

/**
 * Agents in order; each sees the task and the previous output (`handoff: last`) or all previous
 * outputs (`handoff: all`). The last agent's output is the result.
 */
export const sequentialTopology = defineTopology({
  name: 'sequential',
  description:
    'Agents run in order, each seeing the task and the previous output; the last output is the result.',
  options: z.strictObject({
    /** Each agent sees the previous output (`last`) or all previous outputs (`all`). */
    handoff: z.enum(['last', 'all']).default('last'),
  }),
  validate() {
    // Any number of agents (≥ 1, checked by the team schema) in any order.
  },
  async run(team, options, ctx) {
    const results: AgentResult[] = [];
    const total = team.agents.length;
    for (const [index, agent] of team.agents.entries()) {
      const shown = options.handoff === 'all' ? results : results.slice(-1);
      const prompt =
        total === 1
          ? ctx.prompt
          : composePrompt(
              ctx.prompt,
              outputSections(shown),
              shown.length === 0
                ? `(You are step 1 of ${total}.)`
                : `(You are step ${index + 1} of ${total}. Build on the output above.)`,
            );
      results.push(await ctx.runAgent(agent, { prompt }));
    }
    return { output: results.at(-1)?.output ?? '' };
  },
});
