import { describe, expect, it } from 'vitest';
import { PiiPolicyConfigSchema } from './pii-policy-config.js';
import { resolvePiiPolicy } from './redact/index.js';

describe('security.pii', () => {
  it('has the documented defaults', () => {
    expect(PiiPolicyConfigSchema.parse({})).toEqual({
      prompts: 'mask',
      outputs: 'allow',
      traces: 'mask',
      memory: 'mask',
    });
  });

  it('takes a default with per-type overrides, in either spelling of the type', () => {
    const parsed = PiiPolicyConfigSchema.parse({
      prompts: { default: 'mask', EMAIL: 'allow', PAYMENT_CARD: 'block', 'secret-key': 'block' },
    });
    const policy = resolvePiiPolicy('prompts', parsed.prompts);
    expect(policy.actionFor('email')).toBe('allow');
    expect(policy.actionFor('payment-card')).toBe('block');
    expect(policy.actionFor('secret-key')).toBe('block');
    expect(policy.actionFor('phone')).toBe('mask');
    expect(policy.watched).not.toContain('email');
  });

  it('refuses an unknown type or action, naming it', () => {
    const unknownType = PiiPolicyConfigSchema.safeParse({ prompts: { passport: 'mask' } });
    expect(unknownType.success).toBe(false);
    expect(JSON.stringify(unknownType.error?.issues)).toContain('passport');
    expect(PiiPolicyConfigSchema.safeParse({ outputs: 'drop' }).success).toBe(false);
  });

  it('still takes the memory words keep and drop, alone and per type', () => {
    expect(PiiPolicyConfigSchema.parse({ memory: 'keep' }).memory).toBe('keep');
    expect(PiiPolicyConfigSchema.parse({ memory: { default: 'drop', email: 'mask' } }).memory).toEqual({
      default: 'drop',
      email: 'mask',
    });
  });

  it('a policy that allows everything watches no type, so nothing is scanned', () => {
    expect(resolvePiiPolicy('outputs', 'allow').watched).toEqual([]);
  });
});
