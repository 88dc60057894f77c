import { z } from 'zod';
import type { AgentResult } from '../agents/index.js';
import { invalidTeam } from './invalid-team.js';
import { composePrompt, normalizeAnswer } from './team-helpers.js';
import { defineTopology } from './topology.js';

/**
 * A ring: each agent refines the previous agent's answer, always seeing the task (the very first
 * agent sees only the task). It ends when a full pass changes nothing (every agent returned, after
 * normalisation, the answer it received) or after `maxPasses` passes. The last answer is the result.
 * An agent failure fails the run: the ring cannot go on without the answer it was to pass on.
 */
export const circularTopology = defineTopology({
  name: 'circular',
  description: 'Agents in a ring refine the answer in turn until a full pass changes nothing.',
  options: z.strictObject({
    /** Passes around the ring at most; a pass is every agent once, in order. */
    maxPasses: z.number().int().min(1).max(10).default(2),
  }),
  validate(team) {
    if (team.agents.length < 2) {
      throw invalidTeam(
        'circular',
        `needs at least 2 agents in the ring, the team has ${team.agents.length}`,
      );
    }
  },
  async run(team, options, ctx) {
    const total = team.agents.length;
    let current: AgentResult | undefined;
    let passes = 0;
    let endedBy: 'stable' | 'max-passes' = 'max-passes';
    while (passes < options.maxPasses) {
      passes++;
      // The first pass has changed something by definition: its first agent received no answer.
      let changed = current === undefined;
      for (const [index, agent] of team.agents.entries()) {
        const received: AgentResult | undefined = current;
        const prompt = received
          ? composePrompt(
              ctx.prompt,
              [{ label: `Current answer (from ${received.agent})`, text: received.output }],
              `(You are agent ${index + 1} of ${total} in a ring, pass ${passes}. Refine the current answer: ` +
                'fix what is wrong and improve what is weak. Reply with the complete answer only; ' +
                'if it is already right, return it unchanged.)',
            )
          : ctx.prompt;
        current = await ctx.runAgent(agent, { prompt });
        if (received && normalizeAnswer(current.output) !== normalizeAnswer(received.output)) changed = true;
      }
      if (!changed) {
        endedBy = 'stable';
        break;
      }
    }
    return { output: current?.output ?? '', details: { passes, endedBy } };
  },
});
