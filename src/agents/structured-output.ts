import { z } from 'zod';

/**
 * Parses a model's structured answer: JSON (optionally inside a ```json fence, as many models
 * add one even when asked not to) validated against the schema.
 */
export function parseStructuredOutput(
  schema: z.ZodType,
  text: string,
): { ok: true; data: unknown } | { ok: false; error: string } {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const candidate = (fenced?.[1] ?? text).trim();
  let json: unknown;
  try {
    json = JSON.parse(candidate);
  } catch (error) {
    return { ok: false, error: `not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, error: z.prettifyError(parsed.error).replace(/\n/g, '; ') };
}
