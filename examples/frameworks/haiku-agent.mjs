// An AI SDK agent: agentd calls the export with a LanguageModel whose every call is one of the
// agent's governed model calls (routed, budgeted, traced, journaled), in process.
import { generateText } from 'ai';

/** Writes a haiku about the input. */
export async function haiku(model, { prompt, instructions, signal }) {
  return generateText({
    model,
    system: instructions ?? 'Answer with one haiku.',
    prompt,
    abortSignal: signal,
  });
}
