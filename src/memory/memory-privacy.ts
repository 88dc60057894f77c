import { compileLinearRegex, createNumberedRedactor, detectPii, PII_KINDS } from '../security/index.js';
import type { PiiKind } from '../security/index.js';
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

/** The action for one type under the memory rule, in the memory's own words. */
function memoryActionFor(policy: MemoryPiiPolicy, kind: PiiKind): 'keep' | 'mask' | 'drop' {
  const action = typeof policy === 'string' ? policy : (policy[kind] ?? policy.default ?? 'mask');
  if (action === 'allow' || action === 'keep') return 'keep';
  if (action === 'block' || action === 'drop') return 'drop';
  return 'mask';
}

/**
 * A memory's texts (its content, its provenance source…) under the PII policy, type by type: masked
 * values are replaced with placeholders of their type (`[EMAIL_1]`, numbered across the texts), kept
 * values stay, and `null` when any text holds a type the policy drops. `tags` says what was done.
 */
export function underPiiPolicy<T extends Record<string, string | null>>(
  policy: MemoryPiiPolicy,
  texts: T,
): { texts: T; tags: string[] } | null {
  const findings = Object.values(texts).flatMap((text) => (text === null ? [] : detectPii(text)));
  if (findings.length === 0) return { texts, tags: [] };
  const actions = new Set(findings.map((finding) => memoryActionFor(policy, finding.kind)));
  if (actions.has('drop')) return null;
  const tags = actions.has('keep') ? [PII_TAG] : [];
  if (!actions.has('mask')) return { texts, tags };
  const masked = PII_KINDS.filter((kind) => memoryActionFor(policy, kind) === 'mask');
  const redactor = createNumberedRedactor({ kinds: masked });
  const result = Object.fromEntries(
    Object.entries(texts).map(([key, text]) => [key, text === null ? null : redactor.redact(text)]),
  ) as T;
  return { texts: result, tags: [...tags, PII_MASKED_TAG] };
}
