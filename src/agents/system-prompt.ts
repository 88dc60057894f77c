import type { AgentSpec } from './agent-spec.js';

/** The system message of an agent's calls: who it is and its instructions. */
export function systemPrompt(agent: AgentSpec): string {
  const parts: string[] = [];
  if (agent.role) parts.push(`You are ${agent.name}, ${agent.role}.`);
  if (agent.instructions) parts.push(agent.instructions);
  return parts.join('\n\n');
}
