import type { AgentResult, AgentSpec, TeamSpec } from '../agents/index.js';
import { invalidTeam } from './invalid-team.js';

/** The agent of the team named `name`; a team-shape error naming the option when there is none. */
export function agentNamed(team: TeamSpec, topology: string, option: string, name: string): AgentSpec {
  const agent = team.agents.find((a) => a.name === name);
  if (!agent) {
    const names = team.agents.map((a) => a.name).join(', ');
    throw invalidTeam(
      topology,
      `options.${option} names '${name}', which is not an agent of the team (agents: ${names})`,
    );
  }
  return agent;
}

/** The team's agents except the ones given (e.g. every agent but the judge). */
export function agentsExcept(team: TeamSpec, ...excluded: (AgentSpec | undefined)[]): AgentSpec[] {
  const names = new Set(excluded.flatMap((a) => (a ? [a.name] : [])));
  return team.agents.filter((a) => !names.has(a.name));
}

/**
 * An agent's input: the original task first (always), then labelled sections, then what to do.
 * One format for every topology, so prompts stay recognisable in traces.
 */
export function composePrompt(
  task: string,
  sections: readonly { label: string; text: string }[],
  instruction?: string,
): string {
  const parts = [`Task:\n${task}`];
  for (const section of sections) parts.push(`--- ${section.label} ---\n${section.text}`);
  if (instruction) parts.push(instruction);
  return parts.join('\n\n');
}

/** Sections labelled with each agent's name, for outputs shown to another agent. */
export function outputSections(
  results: readonly AgentResult[],
  label = 'Output of',
): { label: string; text: string }[] {
  return results.map((r) => ({ label: `${label} ${r.agent}`, text: r.output }));
}

/** An answer reduced for comparison: case, surrounding space and punctuation, inner whitespace. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[\s"'`*_.,;:!?()[\]-]+|[\s"'`*_.,;:!?()[\]-]+$/g, '');
}

/**
 * The most frequent answer by normalised text; a tie goes to the answer given first (in agent
 * order), so the result is deterministic. Returns the original text of its first occurrence.
 */
export function majorityAnswer(
  answers: readonly string[],
): { answer: string; votes: number; total: number } | undefined {
  const counts = new Map<string, { first: number; votes: number }>();
  answers.forEach((answer, index) => {
    const key = normalizeAnswer(answer);
    const entry = counts.get(key);
    if (entry) entry.votes++;
    else counts.set(key, { first: index, votes: 1 });
  });
  let best: { first: number; votes: number } | undefined;
  for (const entry of counts.values()) {
    if (!best || entry.votes > best.votes || (entry.votes === best.votes && entry.first < best.first))
      best = entry;
  }
  if (!best) return undefined;
  return { answer: answers[best.first] as string, votes: best.votes, total: answers.length };
}

/** Whether every answer is the same after normalisation (and there is at least one). */
export function allAgree(answers: readonly string[]): boolean {
  return (
    answers.length > 0 && answers.every((a) => normalizeAnswer(a) === normalizeAnswer(answers[0] as string))
  );
}
