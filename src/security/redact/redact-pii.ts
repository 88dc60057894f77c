import { replacePii, type PiiOptions } from './detect-pii.js';

/** Irreversible redaction: replaces each value with [REDACTED:kind]. */
export function redactPii(text: string, options: PiiOptions = {}): string {
  return replacePii(text, options, ({ kind }) => `[REDACTED:${kind}]`);
}
