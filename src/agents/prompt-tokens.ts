import type { LanguageModelV3FunctionTool, LanguageModelV3Prompt } from '@ai-sdk/provider';
import { countTokens, tokenUpperBound } from '../budget/index.js';

// Counting exactly (in a worker, ~1 µs per character) is done when the upper bound comes near the
// smallest context windows in use, so routing does not rule models out on an overestimate, and for a
// reservation whose budget check depends on it (see modelAttempt).
const EXACT_COUNT_ABOVE = 8_000;

/** A prompt's input tokens: a free upper bound, and the exact count on demand (counted once). */
export function promptTokens(
  prompt: LanguageModelV3Prompt,
  toolSet: LanguageModelV3FunctionTool[],
): { forRouting(): Promise<number>; exact(): Promise<number> } {
  const text = promptText(prompt, toolSet);
  const framing = PER_MESSAGE_TOKENS * prompt.length;
  const bound = tokenUpperBound(text) + framing;
  let counted: Promise<number> | undefined;
  const exact = () => (counted ??= countTokens(text).then((count) => count + framing));
  return {
    forRouting: () => (bound <= EXACT_COUNT_ABOVE ? Promise.resolve(bound) : exact()),
    exact,
  };
}

/** Tokens a chat format adds per message (role markers), as OpenAI documents for its models. */
const PER_MESSAGE_TOKENS = 4;

/** Everything of a prompt that is sent as tokens: texts, tool calls and results, tool schemas. */
function promptText(prompt: LanguageModelV3Prompt, toolSet: LanguageModelV3FunctionTool[]): string {
  const parts: string[] = [];
  for (const message of prompt) {
    if (typeof message.content === 'string') {
      parts.push(message.content);
      continue;
    }
    for (const part of message.content) {
      if (part.type === 'text' || part.type === 'reasoning') parts.push(part.text);
      else if (part.type === 'tool-call') parts.push(part.toolName, JSON.stringify(part.input));
      else if (part.type === 'tool-result') parts.push(JSON.stringify(part.output));
    }
  }
  for (const tool of toolSet) parts.push(tool.name, tool.description ?? '', JSON.stringify(tool.inputSchema));
  return parts.join('\n');
}
