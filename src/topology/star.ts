import { z } from 'zod';
import type { AgentSpec } from '../agents/index.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import { agentNamed, agentsExcept, composePrompt } from './team-helpers.js';
import { defineTopology } from './topology.js';
import type { TopologyContext } from './topology.js';

// Optional fields rather than defaults: the JSON schema sent to the model must not mark them required.
const DecisionSchema = z
  .object({
    consult: z.array(z.object({ spoke: z.string().min(1), question: z.string().min(1) })).optional(),
    answer: z.string().min(1).optional(),
  })
  .refine((decision) => decision.answer !== undefined || (decision.consult?.length ?? 0) > 0, {
    message: 'give either "answer" or at least one spoke to consult',
  });

const AnswerSchema = z.object({ answer: z.string().min(1) });

type Decision = z.infer<typeof DecisionSchema>;

/** One question the hub asked in a consultation, and what came of it. */
interface Exchange {
  spoke: string;
  question: string;
  /** The spoke's answer, or why there is none. */
  text: string;
  ok: boolean;
}

/** One consultation: the questions asked (in parallel) and the spoke names the hub got wrong. */
interface Consultation {
  round: number;
  exchanges: Exchange[];
  unknown: string[];
}

/**
 * A hub consults the spokes it chooses (all other agents): each consulted spoke sees only the task
 * and the hub's question, and answers the hub alone, in parallel with the others. The hub decides
 * again with the answers, up to `maxConsultations` times; then it must answer. Spoke failures and
 * unknown spoke names are tolerated and reported to the hub; a hub failure fails the run.
 */
export const starTopology = defineTopology({
  name: 'star',
  description: 'A hub consults chosen spokes (each sees only the task and its question) and answers.',
  options: z.strictObject({
    /** The hub's name; the first agent when unset. */
    hub: z.string().min(1).optional(),
    /** Consultations before the hub must answer. */
    maxConsultations: z.number().int().min(1).default(3),
  }),
  validate(team, options) {
    const hub = options.hub ? agentNamed(team, 'star', 'hub', options.hub) : team.agents[0];
    const spokes = agentsExcept(team, hub);
    if (spokes.length < 1) {
      throw invalidTeam('star', `needs at least 1 spoke besides the hub, the team has ${spokes.length}`);
    }
  },
  async run(team, options, ctx) {
    const hub = options.hub ? agentNamed(team, 'star', 'hub', options.hub) : team.agents[0];
    if (!hub) throw invalidTeam('star', 'needs a hub');
    const spokes = agentsExcept(team, hub);
    const roster = {
      label: 'Spokes',
      text: spokes.map((s) => (s.role ? `- ${s.name} (${s.role})` : `- ${s.name}`)).join('\n'),
    };

    const consultations: Consultation[] = [];
    let answer: string;
    let endedBy: 'answer' | 'max-consultations';
    for (;;) {
      const sections = [roster, ...consultations.flatMap(consultationSections)];
      const left = options.maxConsultations - consultations.length;
      if (left <= 0) {
        const result = await ctx.runAgent(hub, {
          prompt: composePrompt(
            ctx.prompt,
            sections,
            'You are the hub. No consultations are left. Reply with only JSON {"answer": "your complete ' +
              'answer to the task"}, built from what the spokes told you.',
          ),
          schema: AnswerSchema,
        });
        answer = (result.data as z.infer<typeof AnswerSchema>).answer;
        endedBy = 'max-consultations';
        break;
      }
      const decision = (
        await ctx.runAgent(hub, {
          prompt: composePrompt(
            ctx.prompt,
            sections,
            `You are the hub. To ask spokes, reply with only JSON {"consult": [{"spoke": "a spoke's name", ` +
              `"question": "what you ask it"}]}: they answer in parallel, each seeing only the task and your ` +
              `question (${left} ${left === 1 ? 'consultation' : 'consultations'} left). When you can answer, ` +
              `reply with only JSON {"answer": "your complete answer to the task"}.`,
          ),
          schema: DecisionSchema,
        })
      ).data as Decision;
      if (decision.answer !== undefined) {
        // A decision with both an answer and questions ends the run: the hub said it can answer.
        answer = decision.answer;
        endedBy = 'answer';
        break;
      }
      consultations.push(await consult(ctx, hub, spokes, consultations.length + 1, decision.consult ?? []));
    }

    const details: Json = {
      hub: hub.name,
      endedBy,
      consultations: consultations.map((c) => ({
        round: c.round,
        asked: c.exchanges.map((e) => ({
          spoke: e.spoke,
          question: e.question,
          ok: e.ok,
          ...(e.ok ? {} : { error: e.text }),
        })),
        unknownSpokes: c.unknown,
      })),
      failures: consultations.flatMap((c) =>
        c.exchanges.filter((e) => !e.ok).map((e) => ({ round: c.round, spoke: e.spoke, error: e.text })),
      ),
    };
    return { output: answer, details };
  },
});

/** Asks the consulted spokes in parallel; names that are not spokes are kept to tell the hub. */
async function consult(
  ctx: TopologyContext,
  hub: AgentSpec,
  spokes: readonly AgentSpec[],
  round: number,
  questions: readonly { spoke: string; question: string }[],
): Promise<Consultation> {
  const asked = questions.flatMap((q) => {
    const spoke = spokes.find((s) => s.name === q.spoke);
    return spoke ? [{ spoke, question: q.question }] : [];
  });
  const unknown = [
    ...new Set(questions.filter((q) => !spokes.some((s) => s.name === q.spoke)).map((q) => q.spoke)),
  ];
  const settled = await ctx.parallel(
    asked.map(
      ({ spoke, question }) =>
        async (branch: TopologyContext) =>
          (
            await branch.runAgent(spoke, {
              prompt: composePrompt(
                ctx.prompt,
                [{ label: `Question from ${hub.name}`, text: question }],
                `Answer the question above, for the task. Your answer goes to ${hub.name} only.`,
              ),
            })
          ).output,
    ),
  );
  const exchanges = asked.map(({ spoke, question }, index): Exchange => {
    const outcome = settled[index];
    return outcome?.ok
      ? { spoke: spoke.name, question, text: outcome.value, ok: true }
      : { spoke: spoke.name, question, text: outcome?.error.message ?? 'no outcome', ok: false };
  });
  return { round, exchanges, unknown };
}

/** What the hub is shown of one consultation: each answer (or failure), and the unknown names. */
function consultationSections(consultation: Consultation): { label: string; text: string }[] {
  const sections = consultation.exchanges.map((e) => ({
    label: `Consultation ${consultation.round}: ${e.spoke}${e.ok ? '' : ' FAILED'}`,
    text: `Question: ${e.question}\n\n${e.ok ? 'Answer' : 'Failure'}:\n${e.text}`,
  }));
  if (consultation.unknown.length > 0) {
    sections.push({
      label: `Consultation ${consultation.round}: unknown spokes`,
      text:
        `${consultation.unknown.map((name) => `'${name}'`).join(', ')} ` +
        `${consultation.unknown.length === 1 ? 'is not a spoke' : 'are not spokes'} of this team; nobody was asked. ` +
        'Use the names listed under Spokes.',
    });
  }
  return sections;
}
