import { z } from 'zod';
import type { AgentSpec } from '../agents/index.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, agentsExcept, composePrompt } from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyContext } from './topology.js';

const ReviewSchema = z.object({ approve: z.boolean(), issues: z.array(z.string()) });

type Review = z.infer<typeof ReviewSchema>;

/** One checker's verdict on one artifact, or why there is none. */
type Verdict = { checker: string; ok: true; review: Review } | { checker: string; ok: false; error: string };

/**
 * Maker–checker: the maker (option `maker`, else the first agent) produces the artifact; the
 * checkers (all other agents) review it in parallel, each seeing the task and the artifact, and
 * approve or list issues. The maker revises with every issue, labelled by checker, until `quorum`
 * checkers approve (all by default) or `maxRounds` artifacts were made; the last artifact is the
 * output either way, its approval state is in the details. A checker that fails counts as not
 * approving and is reported; a maker failure fails the run.
 */
export const makerTopology = defineTopology({
  name: 'maker',
  description:
    'A maker produces an artifact, checkers approve or list issues, the maker revises until approved.',
  options: z.strictObject({
    /** The maker's name; the first agent when unset. */
    maker: z.string().min(1).optional(),
    /** Approvals that accept the artifact; every checker when unset. */
    quorum: z.number().int().min(1).optional(),
    /** Artifacts made (the first one and its revisions) before giving up on approval. */
    maxRounds: z.number().int().min(1).default(3),
  }),
  validate(team, options) {
    const maker = options.maker ? agentNamed(team, 'maker', 'maker', options.maker) : team.agents[0];
    const checkers = agentsExcept(team, maker);
    if (checkers.length < 1) {
      throw invalidTeam(
        'maker',
        `needs at least 1 checker besides the maker, the team has ${checkers.length}`,
      );
    }
    if (options.quorum !== undefined && options.quorum > checkers.length) {
      throw invalidTeam(
        'maker',
        `options.quorum is ${options.quorum}, but the team has only ${checkers.length} ` +
          `${checkers.length === 1 ? 'checker' : 'checkers'}`,
      );
    }
  },
  async run(team, options, ctx) {
    const maker = options.maker ? agentNamed(team, 'maker', 'maker', options.maker) : team.agents[0];
    if (!maker) throw invalidTeam('maker', 'needs a maker');
    const checkers = agentsExcept(team, maker);
    const quorum = options.quorum ?? checkers.length;

    let artifact = (
      await ctx.runAgent(maker, {
        prompt: composePrompt(
          ctx.prompt,
          [],
          'Produce what the task asks for; checkers will review it. Reply with the artifact only.',
        ),
      })
    ).output;
    const failures: Json[] = [];
    let rounds = 0;
    let verdicts: Verdict[];
    for (;;) {
      rounds++;
      verdicts = await check(ctx, checkers, artifact, rounds);
      for (const v of verdicts)
        if (!v.ok) failures.push({ round: rounds, checker: v.checker, error: v.error });
      if (approvalsOf(verdicts) >= quorum || rounds >= options.maxRounds) break;
      artifact = (
        await ctx.runAgent(maker, {
          prompt: composePrompt(
            ctx.prompt,
            [{ label: 'Your previous artifact', text: artifact }, ...verdicts.map(verdictSection)],
            'Revise your artifact to resolve every issue above. Reply with the complete revised artifact only.',
          ),
        })
      ).output;
    }

    const approvals = approvalsOf(verdicts);
    const approved = approvals >= quorum;
    const details: Json = {
      maker: maker.name,
      approved,
      approvals,
      quorum,
      approvedBy: verdicts.flatMap((v) => (v.ok && v.review.approve ? [v.checker] : [])),
      rounds,
      issues: verdicts.flatMap((v) =>
        v.ok && v.review.issues.length > 0 ? [{ checker: v.checker, issues: v.review.issues }] : [],
      ),
      failures,
      endedBy: approved ? 'approved' : 'max-rounds',
    };
    return { output: artifact, details };
  },
});

/** Every checker reviews the artifact, in parallel; failures become verdicts too. */
async function check(
  ctx: TopologyContext,
  checkers: readonly AgentSpec[],
  artifact: string,
  round: number,
): Promise<Verdict[]> {
  const settled = await ctx.parallel(
    checkers.map((checker) => async (branch: TopologyContext) => {
      const result = await branch.runAgent(checker, {
        prompt: composePrompt(
          ctx.prompt,
          [{ label: `Artifact to check (version ${round})`, text: artifact }],
          'Check the artifact above against the task. Reply with only JSON {"approve": true or false, ' +
            '"issues": ["each problem that must be fixed, specific enough to act on"]}. Approve only if it ' +
            'needs no change.',
        ),
        schema: ReviewSchema,
      });
      return result.data as Review;
    }),
  );
  return checkers.map((checker, index): Verdict => {
    const outcome = settled[index];
    return outcome?.ok
      ? { checker: checker.name, ok: true, review: outcome.value }
      : { checker: checker.name, ok: false, error: outcome?.error.message ?? 'no outcome' };
  });
}

/** How many checkers approved. */
function approvalsOf(verdicts: readonly Verdict[]): number {
  return verdicts.filter((v) => v.ok && v.review.approve).length;
}

/** What the maker is shown of one checker's verdict: its issues verbatim, or that it failed. */
function verdictSection(verdict: Verdict): { label: string; text: string } {
  if (!verdict.ok) {
    return {
      label: `${verdict.checker} could not review`,
      text: `(it failed: ${verdict.error}; it listed no issues)`,
    };
  }
  const { approve, issues } = verdict.review;
  return {
    label: `Issues from ${verdict.checker} (${approve ? 'approved' : 'did not approve'})`,
    text: issues.length > 0 ? issues.map((issue) => `- ${issue}`).join('\n') : '(no issues listed)',
  };
}
