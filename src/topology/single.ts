import { AgentdError } from '../core/errors.js';
import type { Topology } from './topology.js';

/** One agent on the task. */
export const singleTopology: Topology = {
  name: 'single',
  description: 'One agent works on the task; its output is the result.',
  validate(team) {
    if (team.agents.length !== 1) {
      throw new AgentdError({
        code: 'topology.invalid_team',
        message: `single needs exactly 1 agent, the team has ${team.agents.length}`,
      });
    }
  },
  async run(team, task, ctx) {
    const [agent] = team.agents;
    if (!agent)
      throw new AgentdError({ code: 'topology.invalid_team', message: 'single needs exactly 1 agent' });
    return { output: (await ctx.runAgent(agent, { prompt: task.prompt })).output };
  },
};
