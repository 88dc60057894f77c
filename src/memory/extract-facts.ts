import { z } from 'zod';

/** A fact found in a text, before it is checked against what memory already holds. */
export interface ExtractedFact {
  content: string;
  /** 0–1; rules give every fact the same weight, a model may rank them. */
  importance: number;
  /** The sentence (rules) or passage (model) it was taken from. */
  source: string;
}

// Sentences that ask or order are not facts; neither are list headers, code or table rows.
const IMPERATIVE =
  /^(please|write|make|create|give|tell|list|explain|summari[sz]e|describe|show|find|draft|translate|generate|compose|rewrite|answer|reply|use|add|remove|fix|implement|help|let'?s|consider|note|remember)\b/i;
const MARKUP = /^(#|\||```|>|-{3,}|\*{3,})|[{};]\s*$|```/;
const MIN_WORDS = 4;
const MAX_WORDS = 40;

/**
 * Facts from a text without a model: its declarative sentences. A sentence qualifies when it has
 * 4–40 words, starts with a capital letter or a number, ends with a full stop (not a question
 * mark), and is neither an instruction nor markup. Importance is flat: the rules cannot tell a
 * key fact from a passing one, so they leave ranking to recall.
 */
export function extractFactsByRules(
  text: string,
  options: { max: number; importance?: number },
): ExtractedFact[] {
  const facts: ExtractedFact[] = [];
  const seen = new Set<string>();
  for (const sentence of sentences(text)) {
    if (facts.length >= options.max) break;
    const words = sentence.match(/[\p{L}\p{N}]+/gu) ?? [];
    if (words.length < MIN_WORDS || words.length > MAX_WORDS) continue;
    if (!/^[\p{Lu}\p{N}"“]/u.test(sentence) || !/[.!]["”]?$/u.test(sentence)) continue;
    if (IMPERATIVE.test(sentence) || MARKUP.test(sentence)) continue;
    const key = sentence.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    facts.push({ content: sentence, importance: options.importance ?? 0.5, source: sentence });
  }
  return facts;
}

/** The text's sentences: split at sentence ends and line breaks, list markers removed. */
function sentences(text: string): string[] {
  return text
    .split(/\n+/)
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '').trim())
    .flatMap((line) => line.split(/(?<=[.!?]["”]?)\s+(?=[\p{Lu}\p{N}"“])/u))
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** The structured answer a model gives when asked for facts. */
export const ExtractedFactsSchema = z.object({
  facts: z
    .array(
      z.object({
        statement: z.string().min(1).describe('one self-contained fact, naming its subject (no pronouns)'),
        importance: z.number().min(0).max(1).describe('how useful it is to remember, 0–1'),
      }),
    )
    .max(20),
});

/** The instructions of the model that extracts facts. */
export const FACT_EXTRACTION_INSTRUCTIONS =
  'You extract durable facts worth remembering for later tasks from a task and its result: facts ' +
  'about people, projects, preferences, decisions, dates and numbers. Each statement must stand on ' +
  'its own (name its subject, no pronouns). Leave out instructions, opinions, greetings, and anything ' +
  'only true inside this task. Return at most 10 facts; return none when there are none.';

/** The prompt that asks a model for the facts of a task. */
export function factExtractionPrompt(task: { prompt: string; output: string }): string {
  return `Task:\n${task.prompt}\n\nResult:\n${task.output}\n\nReturn the facts as JSON.`;
}
