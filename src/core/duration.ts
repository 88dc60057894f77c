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

// Hand-written: the format is a number and one unit letter; a library would accept more (`1.5 hours`,
// compound forms) than the docs promise, and each accepted form is one more thing to document.
/** Milliseconds in a duration such as `30d`, `12h` or `90m`; undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  return ms > 0 && ms <= MAX_DURATION_MS ? ms : undefined;
}
