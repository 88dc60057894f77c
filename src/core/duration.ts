import { z } from 'zod';

/** Milliseconds per duration unit: seconds, minutes, hours, days, weeks. */
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** The longest duration accepted (100 years): past it the arithmetic on timestamps stops making sense. */
const MAX_DURATION_MS = 100 * 365 * UNIT_MS['d']!;

/** A duration as written in config and on command lines: a whole number and a unit (`90m`, `12h`, `30d`, `2w`). */
export const DURATION_PATTERN = /^(\d{1,6})(s|m|h|d|w)$/;

/** What a duration must look like, said the same way wherever one is refused. */
export const DURATION_FORMAT_MESSAGE =
  'a duration such as 90m, 12h, 30d or 2w (a whole number and s, m, h, d or w)';

/** A parsed duration, or why the text is not one (a sentence fit for the user). */
export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

// Hand-written: the format is a number and one unit letter; a library would accept more (`1.5 hours`,
// compound forms) than the docs promise, and each accepted form is one more thing to document.
/** Milliseconds in a duration such as `30d`, or the reason it is refused (format, zero, too long). */
export function readDuration(text: string): DurationResult {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return { ok: false, reason: DURATION_FORMAT_MESSAGE };
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  if (ms <= 0) return { ok: false, reason: 'must be more than 0 (e.g. 1m)' };
  if (ms > MAX_DURATION_MS) return { ok: false, reason: 'at most 100 years' };
  return { ok: true, ms };
}

/** Milliseconds in a duration such as `30d`, `12h` or `90m`; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const result = readDuration(text);
  return result.ok ? result.ms : undefined;
}

/** A duration string in config or operation input, refused with the precise reason. */
export const DurationSchema = z.string().superRefine((text, context) => {
  const result = readDuration(text);
  if (!result.ok) context.addIssue({ code: 'custom', message: result.reason });
});
