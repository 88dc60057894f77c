import { z } from 'zod';
import { invalidTeam } from './invalid-team.js';
import { defineTopology } from './topology.js';

/** One agent on the task. */
export const singleTopology = defineTopology({
  name: 'single',
  description: 'One agent works on the task; its output is the result.',
  options: z.strictObject({}),
  validate(team) {
    if (team.agents.length !== 1) {
      throw invalidTeam('single', `needs exactly 1 agent, the team has ${team.agents.length}`);
    }
  },
  async run(team, _options, ctx) {
    const agent = team.agents[0];
    if (!agent) throw invalidTeam('single', 'needs exactly 1 agent');
    return { output: (await ctx.runAgent(agent, { prompt: ctx.prompt })).output };
  },
});
