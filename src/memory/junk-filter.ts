// Rules for text that must not become a memory. They run without a model, so they are patterns:
// instructions and system-prompt echoes (which would later be recalled as if they were facts),
// conversational boilerplate, and fragments too short to state anything.

import { contentWords } from './stopwords.js';

const INSTRUCTION = [
  /^\s*(you are|you're) (a|an|the|now)\b/i,
  /\b(ignore|disregard|forget|override)\b[^.!?]{0,40}\b(instructions|prompts?|rules|guidelines|messages|everything (above|before|else)|the above)\b/i,
  /^\s*(reply|respond|answer) (with|in|only)\b/i,
  /\b(reply|respond|answer) only (with|in)\b/i,
  /^\s*(always|never) (respond|reply|answer|say|use)\b/i,
  /\bfrom now on\b[^.!?]{0,40}\b(you|answer|respond|reply|always|never|only)\b/i,
  /^\s*(act|behave|pretend|role-?play) (as|like|to be)\b/i,
  /\b(you|the assistant|the model|the agents?) (must|should|shall|will) (always|never|only|now)\b/i,
  /^\s*(you must|you should|you will) /i,
  /\b(future|later|next|other) (tasks?|agents?|assistants?|runs?|models?) (must|should|shall|will|have to)\b/i,
  /\b(system prompt|as an ai( language model)?|i am an ai|jailbreak)\b/i,
];

const BOILERPLATE = [
  /^\s*(sure|certainly|of course|absolutely|okay|ok)[!.,]?\s*(here( is|'s)|i can|i will|let me)?\b.{0,40}$/i,
  /^\s*(sure|certainly|of course|absolutely|okay|ok)[!.,]?\s*(here( is|'s| are)|i can|i will|i'll|let me)\b/i,
  /\blorem ipsum\b/i,
  /^\s*(here is|here's|here are|below is|below are) (the|your|a|an|some|my)\b[^.]{0,40}[:.]?\s*$/i,
  /^\s*(i hope this helps|let me know if|feel free to|is there anything else)/i,
  /^\s*(thanks|thank you)[!.]?\s*$/i,
  /^\s*(i'?m sorry|sorry|unfortunately),? (but )?i (can(no|')t|am unable)/i,
];

/** Why `text` should not be remembered, or undefined when it may be. `instructions` are system prompts to not echo. */
export function junkReason(text: string, instructions: readonly string[] = []): string | undefined {
  const trimmed = text.trim();
  const words = trimmed.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length < 3) return 'fragment: fewer than three words';
  if (!/\p{L}/u.test(trimmed)) return 'fragment: no words';
  if (contentWords(trimmed).size < 2) return 'fragment: fewer than two content words';
  if (INSTRUCTION.some((pattern) => pattern.test(trimmed))) return 'an instruction, not a fact';
  if (BOILERPLATE.some((pattern) => pattern.test(trimmed))) return 'conversational boilerplate';
  for (const instruction of instructions) {
    if (overlap(trimmed, instruction) >= 0.8) return 'an echo of the instructions';
  }
  return undefined;
}

/** The share of the text's words that appear in `other` (case-insensitive). */
function overlap(text: string, other: string): number {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return 0;
  const known = new Set(other.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  return words.filter((w) => known.has(w)).length / words.length;
}
