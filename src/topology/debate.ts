import { z } from 'zod';
import type { AgentSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, agentsExcept, allAgree, composePrompt } from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyContext } from './topology.js';

const CheckSchema = z.object({ agreed: z.boolean(), decision: z.string().min(1), rationale: z.string() });
const DecisionSchema = z.object({ decision: z.string().min(1), rationale: z.string() });

type Ruling = z.infer<typeof DecisionSchema>;

/** A debater that failed, and when. */
interface Failure {
  debater: string;
  round: number;
  error: string;
}

/**
 * Debaters (every agent but the judge) answer independently, then for up to `rounds` rounds each
 * sees the others' latest answers and revises, all in parallel. It ends early when the answers are
 * equal once normalised, or (with `judgeEachRound`) when the judge, asked after each round, says
 * they agree; the judge's decision is the output. A failed debater is dropped and reported; with
 * fewer than 2 left the judge decides on what there is; if none is left, or the judge fails, the
 * run fails.
 */
export const debateTopology = defineTopology({
  name: 'debate',
  description: 'Debaters answer, see each other’s answers and revise over rounds; a judge decides.',
  options: z.strictObject({
    /** The judge's name (not a debater); the last agent when unset. */
    judge: z.string().min(1).optional(),
    /** Revision rounds after the independent answers. */
    rounds: z.number().int().min(0).default(2),
    /** Ask the judge after each round whether the debaters agree (it may end the debate early). */
    judgeEachRound: z.boolean().default(true),
  }),
  validate(team, options) {
    const judge = options.judge ? agentNamed(team, 'debate', 'judge', options.judge) : team.agents.at(-1);
    const debaters = agentsExcept(team, judge);
    if (debaters.length < 2) {
      throw invalidTeam(
        'debate',
        `needs at least 2 debaters (besides the judge), the team has ${debaters.length}`,
      );
    }
  },
  async run(team, options, ctx) {
    const judge = options.judge ? agentNamed(team, 'debate', 'judge', options.judge) : team.agents.at(-1);
    if (!judge) throw invalidTeam('debate', 'needs a judge');
    let active = agentsExcept(team, judge);
    const latest = new Map<string, string>();
    const failures: Failure[] = [];
    const total = options.rounds;

    /** Runs one round for the active debaters; keeps the ones that answered. */
    const debate = async (round: number, prompt: (debater: AgentSpec) => string): Promise<void> => {
      const settled = await ctx.parallel(
        active.map(
          (debater) => async (branch: TopologyContext) =>
            (await branch.runAgent(debater, { prompt: prompt(debater) })).output,
        ),
      );
      const answered: AgentSpec[] = [];
      active.forEach((debater, index) => {
        const outcome = settled[index];
        if (outcome?.ok) {
          latest.set(debater.name, outcome.value);
          answered.push(debater);
        } else {
          failures.push({ debater: debater.name, round, error: outcome?.error.message ?? 'no outcome' });
        }
      });
      active = answered;
    };
    const answers = () =>
      active.map((d) => ({ label: `Answer of ${d.name}`, text: latest.get(d.name) ?? '' }));
    const decide = async (): Promise<Ruling> =>
      (
        await ctx.runAgent(judge, {
          prompt: composePrompt(
            ctx.prompt,
            answers(),
            'You judge this debate. Reply with only JSON {"decision": "the answer to the task you decide is ' +
              'right", "rationale": "why, briefly"}.',
          ),
          schema: DecisionSchema,
        })
      ).data as Ruling;

    await debate(0, () =>
      composePrompt(
        ctx.prompt,
        [],
        'Answer the task concisely. Other debaters answer it too; you will see their answers and may revise yours.',
      ),
    );
    let round = 0;
    let ruling: Ruling;
    let endedBy: 'agreement' | 'judge' | 'max-rounds' | 'debaters-failed';
    for (;;) {
      if (active.length < 2) {
        if (active.length === 0) throw everyDebaterFailed(failures);
        ruling = await decide();
        endedBy = 'debaters-failed';
        break;
      }
      if (allAgree(active.map((d) => latest.get(d.name) ?? ''))) {
        ruling = await decide();
        endedBy = 'agreement';
        break;
      }
      if (round > 0 && options.judgeEachRound) {
        const check = (
          await ctx.runAgent(judge, {
            prompt: composePrompt(
              ctx.prompt,
              answers(),
              `You judge this debate (after round ${round} of ${total}). Reply with only JSON {"agreed": true ` +
                'or false, "decision": "the answer to the task you decide is right", "rationale": "why, ' +
                'briefly"}; agreed is true only if the debaters have reached the same answer in substance.',
            ),
            schema: CheckSchema,
          })
        ).data as z.infer<typeof CheckSchema>;
        if (check.agreed || round >= total) {
          // Asked in the last round, the judge has already decided: it is not asked again.
          ruling = { decision: check.decision, rationale: check.rationale };
          endedBy = check.agreed ? 'judge' : 'max-rounds';
          break;
        }
      }
      if (round >= total) {
        ruling = await decide();
        endedBy = 'max-rounds';
        break;
      }
      round++;
      const previous = active.map((d) => ({ name: d.name, text: latest.get(d.name) ?? '' }));
      await debate(round, (debater) =>
        composePrompt(
          ctx.prompt,
          [
            { label: 'Your previous answer', text: latest.get(debater.name) ?? '' },
            ...previous
              .filter((p) => p.name !== debater.name)
              .map((p) => ({ label: `Answer of ${p.name}`, text: p.text })),
          ],
          `Round ${round} of ${total}. Weigh the other debaters' answers above, then reply with your revised ` +
            'answer only (keep yours if you still think it is right).',
        ),
      );
    }

    const details: Json = {
      judge: judge.name,
      decision: ruling.decision,
      rationale: ruling.rationale,
      rounds: round,
      endedBy,
      answers: Object.fromEntries(active.map((d) => [d.name, latest.get(d.name) ?? ''])),
      failures: failures.map((f) => ({ debater: f.debater, round: f.round, error: f.error })),
    };
    return { output: ruling.decision, details };
  },
});

/** The run's error when no debater is left: it names every failure. */
function everyDebaterFailed(failures: readonly Failure[]): AgentdError {
  return new AgentdError({
    code: 'topology.agents_failed',
    message: `debate: every debater failed (${failures.map((f) => `${f.debater} in round ${f.round}: ${f.error}`).join('; ')})`,
    details: { topology: 'debate' },
  });
}
