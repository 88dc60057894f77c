import type { TaskEventShaper } from '../core/events.js';
import { createPolicyRedactor, resolvePiiPolicy } from '../security/index.js';
import type { PiiRule } from '../security/index.js';

const WITHHELD = '[WITHHELD: personal data]';

/**
 * The events a task emits under `security.pii.outputs`: with anything but `allow`, the text in its
 * events (a model step's text, an agent's and the task's output) is masked for good like the stored
 * result, or withheld where the policy blocks; live text deltas are not sent at all, since a value
 * can be split across two of them. Undefined when the policy allows everything.
 */
export function outputEventShaper(rule: PiiRule): TaskEventShaper | undefined {
  const policy = resolvePiiPolicy('outputs', rule);
  if (policy.watched.length === 0) return undefined;
  const clean = (text: string, where: string): string => {
    try {
      return createPolicyRedactor(policy).redact(text, where);
    } catch {
      // `pii.blocked`: the task fails with that code when it returns; its events never carry the text.
      return WITHHELD;
    }
  };
  return (type, data) => {
    if (type === 'text-delta') return null;
    const event = data as Record<string, unknown>;
    for (const field of ['text', 'output'] as const) {
      const value = event[field];
      if (typeof value === 'string') return { ...data, [field]: clean(value, `the ${type} event`) };
    }
    return data;
  };
}
