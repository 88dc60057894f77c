import type { AgentResult } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import type { Topology } from './topology.js';

/**
 * Agents in order; each sees the task and the previous output (`handoff: last`) or all previous
 * outputs (`handoff: all`). The last agent's output is the result.
 */
export const sequentialTopology: Topology = {
  name: 'sequential',
  description:
    'Agents run in order, each seeing the task and the previous output; the last output is the result.',
  validate(team) {
    if (team.agents.length < 1) {
      throw new AgentdError({ code: 'topology.invalid_team', message: 'sequential needs at least 1 agent' });
    }
    const names = new Set<string>();
    for (const agent of team.agents) {
      if (names.has(agent.name)) {
        throw new AgentdError({
          code: 'topology.invalid_team',
          message: `sequential: agent name '${agent.name}' is used twice; names must be unique within a team`,
        });
      }
      names.add(agent.name);
    }
  },
  async run(team, task, ctx) {
    const results: AgentResult[] = [];
    for (const [index, agent] of team.agents.entries()) {
      const shown = team.handoff === 'all' ? results : results.slice(-1);
      results.push(
        await ctx.runAgent(agent, { prompt: handoffPrompt(task.prompt, shown, index, team.agents.length) }),
      );
    }
    return { output: results.at(-1)?.output ?? '' };
  },
};

/** The task, then the earlier agents' outputs, each labelled. */
function handoffPrompt(task: string, previous: AgentResult[], index: number, total: number): string {
  if (previous.length === 0) return total > 1 ? `${task}\n\n(You are step 1 of ${total}.)` : task;
  const sections = previous.map((r) => `--- Output of ${r.agent} ---\n${r.output}`);
  return `${task}\n\n${sections.join('\n\n')}\n\n(You are step ${index + 1} of ${total}. Build on the output above.)`;
}
