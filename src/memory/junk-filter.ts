// Rules for text that must not become a memory. They run without a model, so they are patterns:
// instructions and system-prompt echoes (which would later be recalled as if they were facts),
// conversational boilerplate, and fragments too short to state anything.

const INSTRUCTION = [
  /^\s*(you are|you're) (a|an|the)\b/i,
  /\b(ignore|disregard) (all |the )?(previous|prior|above) (instructions|messages)\b/i,
  /^\s*(reply|respond|answer) (with|in|only)\b/i,
  /^\s*(always|never) (respond|reply|answer|say|use)\b/i,
  /\b(system prompt|as an ai( language model)?|i am an ai)\b/i,
];

const BOILERPLATE = [
  /^\s*(sure|certainly|of course|absolutely|okay|ok)[!.,]?\s*(here( is|'s)|i can|i will|let me)?\b.{0,40}$/i,
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
