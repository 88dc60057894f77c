import type { ToolRegistry } from '../tools/index.js';
import type { AgentSpec } from './agent-spec.js';
import { systemPrompt } from './system-prompt.js';
import { toToolSet } from './tool-set.js';

// Rough tokens of English text and JSON; the same rate the recall budget counts with.
const CHARS_PER_TOKEN = 4;

/**
 * About how many input tokens an agent's first call on `prompt` carries: its system message, the
 * prompt and its tools' schemas, at 4 characters a token. A lower bound of what a provider counts
 * (message framing and the wire format's own keys are left out), so a share of it is a safe budget.
 */
export function expectedInputTokens(agent: AgentSpec, tools: ToolRegistry, prompt: string): number {
  // A tool it names that does not exist fails its run later, not this estimate.
  const known = agent.tools.filter((name) => tools.has(name));
  const toolChars = known.length > 0 ? JSON.stringify(toToolSet(tools.select(known))).length : 0;
  return Math.floor((systemPrompt(agent).length + prompt.length + toolChars) / CHARS_PER_TOKEN);
}
