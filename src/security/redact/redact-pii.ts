import { replacePii, type PiiOptions } from './detect-pii.js';

/** Irreversible redaction: replaces each value with [REDACTED:kind]. */
export function redactPii(text: string, options: PiiOptions = {}): string {
  return replacePii(text, options, ({ kind }) => `[REDACTED:${kind}]`);
}

/**
 * Irreversible redaction that keeps the kind and tells values apart: each distinct value becomes
 * `[EMAIL_1]`, `[EMAIL_2]`, `[PAYMENT_CARD_1]`… (numbered per kind in order of appearance, across
 * every text passed to the same redactor). Nothing maps them back.
 */
export function createNumberedRedactor(options: PiiOptions = {}): {
  redact(text: string): string;
  /** How many distinct values were replaced so far. */
  readonly replaced: number;
} {
  const byValue = new Map<string, string>();
  const perKind = new Map<string, number>();
  return {
    redact: (text) =>
      replacePii(text, options, ({ kind, value }) => {
        const known = byValue.get(value);
        if (known !== undefined) return known;
        const number = (perKind.get(kind) ?? 0) + 1;
        perKind.set(kind, number);
        const placeholder = `[${kind.toUpperCase().replaceAll('-', '_')}_${number}]`;
        byValue.set(value, placeholder);
        return placeholder;
      }),
    get replaced() {
      return byValue.size;
    },
  };
}
