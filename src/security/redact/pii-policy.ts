import { PolicyDeniedError } from '../../core/errors.js';
import './pii-error-codes.js';
import { detectPii, type PiiMatch } from './detect-pii.js';
import { PII_KINDS, type PiiKind } from './pii-detectors.js';

/** What a destination does with one kind of personal data: let it through, mask it, or refuse. */
export type PiiAction = 'allow' | 'mask' | 'block';

/** The actions, for schemas. */
export const PII_ACTIONS = ['allow', 'mask', 'block'] as const;

/** A destination's rule as configured: one action for every kind, or a default and per-kind overrides. */
export type PiiRule<A extends string = PiiAction> = A | ({ default?: A } & { [K in PiiKind]?: A });

/** Where personal data may go, as named in config (`security.pii.<destination>`) and in errors. */
export type PiiDestination = 'prompts' | 'outputs' | 'traces' | 'memory';

/** A rule resolved for fast use: the action per kind, and which kinds need looking for at all. */
export interface PiiPolicy {
  readonly destination: PiiDestination;
  actionFor(kind: PiiKind): PiiAction;
  /** Kinds whose action is not `allow`; empty when the policy lets everything through. */
  readonly watched: readonly PiiKind[];
}

/** Resolves a configured rule (`mask`, or `{ default: mask, email: allow }`); `fallback` fills what it leaves out. */
export function resolvePiiPolicy(
  destination: PiiDestination,
  rule: PiiRule,
  fallback: PiiAction = 'allow',
): PiiPolicy {
  const actions = new Map<PiiKind, PiiAction>();
  for (const kind of PII_KINDS) {
    actions.set(kind, typeof rule === 'string' ? rule : (rule[kind] ?? rule.default ?? fallback));
  }
  return {
    destination,
    actionFor: (kind) => actions.get(kind) ?? fallback,
    watched: PII_KINDS.filter((kind) => actions.get(kind) !== 'allow'),
  };
}

/** The findings of `text` that `policy` masks; throws {@link PolicyDeniedError} `pii.blocked` on a blocked kind. */
export function findingsToMask(text: string, policy: PiiPolicy, where: string): PiiMatch[] {
  if (policy.watched.length === 0) return [];
  const findings = detectPii(text, { kinds: policy.watched });
  const blocked = [
    ...new Set(findings.filter((f) => policy.actionFor(f.kind) === 'block').map((f) => f.kind)),
  ];
  if (blocked.length > 0) throw piiBlocked(policy.destination, blocked, where);
  return findings;
}

/** The error for personal data a policy blocks: names the kinds and the destination, never a value. */
export function piiBlocked(
  destination: PiiDestination,
  kinds: readonly PiiKind[],
  where: string,
): PolicyDeniedError {
  const sorted = [...kinds].sort();
  return new PolicyDeniedError({
    code: 'pii.blocked',
    message:
      `${where} contains ${sorted.join(', ')}, which security.pii.${destination} blocks; ` +
      `remove it, or set security.pii.${destination}.${sorted[0] ?? 'default'} to mask or allow`,
    details: { destination, types: sorted },
  });
}

/**
 * Irreversible masking under a policy: each masked value becomes `[EMAIL_1]`, `[PHONE_2]`… (numbered per
 * kind across every text the redactor sees); a blocked kind throws `pii.blocked`.
 */
export function createPolicyRedactor(policy: PiiPolicy): { redact(text: string, where: string): string } {
  const byValue = new Map<string, string>();
  const perKind = new Map<PiiKind, number>();
  return {
    redact(text, where) {
      const findings = findingsToMask(text, policy, where);
      if (findings.length === 0) return text;
      let result = '';
      let copied = 0;
      for (const { kind, value, start, end } of findings) {
        let placeholder = byValue.get(value);
        if (placeholder === undefined) {
          const number = (perKind.get(kind) ?? 0) + 1;
          perKind.set(kind, number);
          placeholder = `[${kind.toUpperCase().replaceAll('-', '_')}_${number}]`;
          byValue.set(value, placeholder);
        }
        result += text.slice(copied, start) + placeholder;
        copied = end;
      }
      return result + text.slice(copied);
    },
  };
}
