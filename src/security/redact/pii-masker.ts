import { detectPii, type PiiMatch, type PiiOptions } from './detect-pii.js';
import type { PiiKind } from './pii-detectors.js';

/** Reversible masking: replaces each detected value by a placeholder like ⟦EMAIL_1⟧ (same value → same placeholder within one masker), and restores them. */
export interface PiiMasker {
  /** Masks detected values and remembers which placeholder stands for which value. */
  mask(text: string): string;
  /** Restores the placeholders this masker issued; unknown placeholders are left as they are. */
  unmask(text: string): string;
  /** How many distinct values were masked. */
  readonly count: number;
}

/**
 * Placeholders are bracketed with ⟦ ⟧: models copy them through intact, no detector matches them, and ordinary
 * text almost never contains them, so unmasking does not touch anything the masker did not write.
 */
const PLACEHOLDER = /⟦[A-Z][A-Z_]*_\d+⟧/g;

/** The start of a placeholder that may still be incomplete at the end of a chunk of streamed text. */
export const PARTIAL_PLACEHOLDER = /⟦[A-Z0-9_]*$/;

/** Longer than any placeholder a masker issues (`⟦PRIVATE_KEY_` plus a counter), so a partial one fits. */
export const MAX_PLACEHOLDER_LENGTH = 40;

/**
 * Creates a masker whose placeholder mapping lives as long as the masker (typically one conversation).
 * `find` replaces detection (a policy's findings, which may throw for a blocked kind).
 */
export function createPiiMasker(
  options: PiiOptions & { find?: (text: string) => PiiMatch[] } = {},
): PiiMasker {
  const find = options.find ?? ((text: string) => detectPii(text, options));
  const placeholderByValue = new Map<string, string>();
  const valueByPlaceholder = new Map<string, string>();
  const issuedByKind = new Map<PiiKind, number>();

  const placeholderFor = ({ kind, value }: PiiMatch): string => {
    const known = placeholderByValue.get(value);
    if (known !== undefined) return known;
    // Numbered per kind, so the model still sees "the second email" and can refer to it consistently.
    const number = (issuedByKind.get(kind) ?? 0) + 1;
    issuedByKind.set(kind, number);
    const placeholder = `⟦${kind.toUpperCase().replaceAll('-', '_')}_${number}⟧`;
    placeholderByValue.set(value, placeholder);
    valueByPlaceholder.set(placeholder, value);
    return placeholder;
  };

  return {
    mask(text) {
      let result = '';
      let copied = 0;
      for (const match of find(text)) {
        result += text.slice(copied, match.start) + placeholderFor(match);
        copied = match.end;
      }
      return copied === 0 ? text : result + text.slice(copied);
    },
    unmask: (text) =>
      text.replace(PLACEHOLDER, (placeholder) => valueByPlaceholder.get(placeholder) ?? placeholder),
    get count() {
      return placeholderByValue.size;
    },
  };
}
