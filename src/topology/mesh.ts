import { z } from 'zod';
import type { AgentResult, AgentSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import type { Json } from '../core/json.js';
import { invalidTeam } from './invalid-team.js';
import { composePrompt } from './team-helpers.js';
import { defineTopology } from './topology.js';

/**
 * What a mesh agent answers each round: messages to teammates (or `all`), and optionally the final answer.
 * No transform here: the schema is sent to the model as JSON Schema, which cannot express one.
 */
const MeshReplySchema = z.object({
  messages: z.array(z.object({ to: z.string(), content: z.string() })).nullish(),
  final: z.string().nullish(),
});

/** A reply with its messages defaulted to none. */
type MeshReply = { messages: { to: string; content: string }[]; final?: string | null | undefined };

/** A message that reached its addressee (a broadcast is one message with `to: 'all'`). */
interface MeshMessage {
  from: string;
  to: string;
  content: string;
}

/** Why a mesh run stopped. */
type MeshEnd = 'final' | 'quiet' | 'max-rounds';

/**
 * Every agent may message any other or all of them. Each round all agents run in parallel, each
 * seeing the task and the messages addressed to it in the previous round; the run ends when an agent
 * gives a final answer (the first in agent order wins), when a round sends no message, or after
 * `maxRounds`. Without a final answer, the output is the last messages exchanged, as labelled sections.
 * An agent that fails in a round is reported and sends nothing that round; a round in which every
 * agent fails fails the run. Messages to unknown agents, to the sender itself or without content are
 * dropped and reported.
 */
export const meshTopology = defineTopology({
  name: 'mesh',
  description:
    'Agents message each other (or all) in rounds until one gives the final answer or they fall quiet.',
  options: z.strictObject({
    /** Rounds at most; the last round's messages are the output when no agent gave a final answer. */
    maxRounds: z.number().int().min(1).max(20).default(4),
  }),
  validate(team) {
    if (team.agents.length < 2) {
      throw invalidTeam('mesh', `needs at least 2 agents, the team has ${team.agents.length}`);
    }
  },
  async run(team, options, ctx) {
    const names = new Set(team.agents.map((a) => a.name));
    const dropped: Json[] = [];
    const failures: Json[] = [];
    let inbox: MeshMessage[] = [];
    // The most recent round that delivered messages: the output when nobody gives a final answer.
    let lastMessages: MeshMessage[] = [];
    let delivered = 0;
    let endedBy: MeshEnd = 'max-rounds';
    let finalBy: string | undefined;
    let final: string | undefined;
    let round = 0;

    while (round < options.maxRounds) {
      round++;
      const roundCtx = ctx.scope(`round-${round}`);
      const shown = inbox;
      const settled = await roundCtx.parallel(
        team.agents.map(
          (agent) => (branch) =>
            branch.runAgent(agent, {
              prompt: meshPrompt(ctx.prompt, team.agents, agent, shown, round, options.maxRounds),
              schema: MeshReplySchema,
            }),
        ),
      );

      const replies: { agent: AgentSpec; reply: MeshReply }[] = [];
      settled.forEach((outcome, index) => {
        const agent = team.agents[index] as AgentSpec;
        if (outcome.ok) replies.push({ agent, reply: replyOf(outcome.value) });
        else
          failures.push({
            round,
            agent: agent.name,
            error: { code: outcome.error.code, message: outcome.error.message },
          });
      });
      if (replies.length === 0) {
        const reasons = settled.flatMap((s, i) =>
          s.ok ? [] : [`${team.agents[i]?.name}: ${s.error.message}`],
        );
        throw new AgentdError({
          code: 'topology.all_agents_failed',
          message: `mesh: every agent failed in round ${round} (${reasons.join('; ')})`,
          details: { topology: 'mesh', round },
        });
      }

      const sent: MeshMessage[] = [];
      for (const { agent, reply } of replies) {
        for (const message of reply.messages) {
          const reason = dropReason(message, agent.name, names);
          if (reason) dropped.push({ round, from: agent.name, to: message.to, reason });
          else sent.push({ from: agent.name, to: message.to.trim(), content: message.content });
        }
      }
      delivered += sent.length;
      if (sent.length > 0) lastMessages = sent;
      inbox = sent;

      // Replies are in agent order, so the first final answer is the first agent's: deterministic.
      const finisher = replies.find(({ reply }) => (reply.final ?? '').trim() !== '');
      if (finisher) {
        endedBy = 'final';
        finalBy = finisher.agent.name;
        final = finisher.reply.final ?? '';
        break;
      }
      if (sent.length === 0) {
        endedBy = 'quiet';
        break;
      }
    }

    const output =
      final ??
      lastMessages.map((m) => `--- Message from ${m.from} to ${m.to} ---\n${m.content}`).join('\n\n');
    const details: Json = {
      rounds: round,
      endedBy,
      ...(finalBy ? { finalBy } : {}),
      messages: delivered,
      dropped,
      failures,
    };
    return { output, details };
  },
});

/** The parsed reply with its messages defaulted to none (the runner has checked it against the schema). */
function replyOf(result: AgentResult): MeshReply {
  const reply = MeshReplySchema.parse(result.data);
  return { messages: reply.messages ?? [], final: reply.final };
}

/** Why a message cannot be delivered, or undefined when it can. */
function dropReason(
  message: { to: string; content: string },
  from: string,
  names: ReadonlySet<string>,
): string | undefined {
  const to = message.to.trim();
  if (message.content.trim() === '') return 'empty message';
  if (to === 'all') return undefined;
  if (to === from) return 'an agent cannot message itself';
  if (!names.has(to)) return `no agent named '${to}'`;
  return undefined;
}

/** The round's prompt for one agent: the task, the messages addressed to it, and the reply format. */
function meshPrompt(
  task: string,
  agents: readonly AgentSpec[],
  agent: AgentSpec,
  inbox: readonly MeshMessage[],
  round: number,
  maxRounds: number,
): string {
  const received = inbox.filter((m) => m.from !== agent.name && (m.to === agent.name || m.to === 'all'));
  const sections = received.map((m) => ({
    label: m.to === 'all' ? `Message from ${m.from} to all` : `Message from ${m.from}`,
    text: m.content,
  }));
  const teammates = agents
    .filter((a) => a.name !== agent.name)
    .map((a) => (a.role ? `${a.name} (${a.role})` : a.name))
    .join(', ');
  const heard =
    round === 1
      ? 'This is the first round: no messages yet.'
      : received.length === 0
        ? 'Nobody messaged you in the last round.'
        : 'Above are the messages sent to you in the last round.';
  const instruction = [
    `You are ${agent.name}, working with ${teammates}. Round ${round} of at most ${maxRounds}. ${heard}`,
    'You may message any teammate by name, or "all" to reach everyone. Reply with JSON only:',
    '{"messages": [{"to": "<teammate name or all>", "content": "<message>"}], "final": "<final answer>"}',
    'Set "final" only when you have the final answer to the task; it ends the discussion.' +
      ' Send no messages when you have nothing to add.',
  ].join('\n');
  return composePrompt(task, sections, instruction);
}
