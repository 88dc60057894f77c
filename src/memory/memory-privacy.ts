import { compileLinearRegex, createNumberedRedactor, detectPii } from '../security/index.js';
import type { MemoryPiiPolicy } from '../security/security-config.js';

/** A memory kept with personal data in it (`security.pii.memory: keep`). */
export const PII_TAG = 'pii';
/** A memory whose personal data was replaced by placeholders (`security.pii.memory: mask`). */
export const PII_MASKED_TAG = 'pii-masked';
/**
 * A memory written by a task whose sensitive calls stay on local models (the hybrid topology in
 * `local` mode): recalled only by such tasks, never into a prompt for any model.
 */
export const LOCAL_ONLY_TAG = 'local-only';

/** A recalled memory's line in a prompt, when the memory is local-only (see memory-service recall). */
export const LOCAL_ONLY_RECALL_LINE = compileLinearRegex(
  '^- \\(\\d{4}-\\d{2}-\\d{2}, [a-z]+, local-only\\) .*$',
  'm',
);

/** Why a memory was not written under `security.pii.memory: drop`. */
export const PII_DROPPED = 'it contains personal data (security.pii.memory: drop)';

/**
 * A memory's texts (its content, its provenance source…) under the PII policy: masked with
 * placeholders of their kind (`[EMAIL_1]`, numbered across the texts), kept, or, under `drop`,
 * `null` when any of them holds personal data. `tags` says what was done, if anything.
 */
export function underPiiPolicy<T extends Record<string, string | null>>(
  policy: MemoryPiiPolicy,
  texts: T,
): { texts: T; tags: string[] } | null {
  const values = Object.values(texts).filter((text): text is string => text !== null);
  if (policy === 'mask') {
    const redactor = createNumberedRedactor();
    const masked = Object.fromEntries(
      Object.entries(texts).map(([key, text]) => [key, text === null ? null : redactor.redact(text)]),
    ) as T;
    return { texts: masked, tags: redactor.replaced > 0 ? [PII_MASKED_TAG] : [] };
  }
  const found = values.some((text) => detectPii(text).length > 0);
  if (policy === 'drop') return found ? null : { texts, tags: [] };
  return { texts, tags: found ? [PII_TAG] : [] };
}
