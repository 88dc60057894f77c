import { z } from 'zod';
import { PII_ACTIONS, PII_KINDS, type PiiKind } from './redact/index.js';

/** `EMAIL`, `PAYMENT_CARD` (the placeholder spelling) and `payment-card` all name the same type. */
function normaliseTypeKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, action]) => [
      key === 'default' ? key : key.toLowerCase().replaceAll('_', '-'),
      action,
    ]),
  );
}

/** A destination's rule: one action, or `{ default, <type>: action… }` (unknown types are an error). */
function ruleSchema<const A extends readonly [string, ...string[]]>(actions: A) {
  const action = z.enum(actions);
  const perType = Object.fromEntries(PII_KINDS.map((kind) => [kind, action.optional()])) as Record<
    PiiKind,
    z.ZodOptional<typeof action>
  >;
  return z.union([
    action,
    z.preprocess(normaliseTypeKeys, z.strictObject({ default: action.optional(), ...perType })),
  ]);
}

/** Memory also takes its first spellings: `keep` is `allow`, `drop` is `block` (the memory is not written). */
export const MEMORY_PII_ACTIONS = ['allow', 'mask', 'block', 'keep', 'drop'] as const;

/**
 * `security.pii`: what happens to each type of personal data (see PII_KINDS) on its way to each
 * destination. Actions: `allow` (as it is), `mask` (placeholders: reversible within a task for model
 * round trips, irreversible in stored records), `block` (the call or write fails with `pii.blocked`).
 */
export const PiiPolicyConfigSchema = z.strictObject({
  /** Prompts sent to models that are not local (hosted APIs); local models always get the prompt as it is. */
  prompts: ruleSchema(PII_ACTIONS).default('mask'),
  /** The task result returned to the caller and stored with the task. */
  outputs: ruleSchema(PII_ACTIONS).default('allow'),
  /** Span attributes, span status messages and log lines; `block` withholds the whole value. */
  traces: ruleSchema(PII_ACTIONS).default('mask'),
  /** Memory writes: `mask` (default), `allow`/`keep` (stored, tagged `pii`), `block`/`drop` (not written). */
  memory: ruleSchema(MEMORY_PII_ACTIONS).default('mask'),
});

/** The parsed `security.pii` section. */
export type PiiPolicyConfig = z.infer<typeof PiiPolicyConfigSchema>;
