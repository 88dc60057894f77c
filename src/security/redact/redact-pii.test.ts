import { describe, expect, it } from 'vitest';
import { redactPii } from './redact-pii.js';

describe('redactPii', () => {
  it('replaces each value with its kind', () => {
    expect(redactPii('mail a@b.co or call 415-555-0132 from 192.168.0.1')).toBe(
      'mail [REDACTED:email] or call [REDACTED:phone] from [REDACTED:ip-address]',
    );
  });

  it('keeps the Bearer scheme and redacts the token', () => {
    expect(redactPii('Authorization: Bearer abc123def456ghi789jkl')).toBe(
      'Authorization: Bearer [REDACTED:secret-key]',
    );
  });

  it('redacts only the kinds asked for', () => {
    expect(redactPii('a@b.co, SSN 123-45-6789', { kinds: ['us-ssn'] })).toBe('a@b.co, SSN [REDACTED:us-ssn]');
  });
});
