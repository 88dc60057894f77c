import { describe, expect, it } from 'vitest';
import { PII_MASKED_TAG, PII_TAG, underPiiPolicy } from './memory-privacy.js';

const texts = { content: 'Ana (ana@example.org) paid with 4111 1111 1111 1111.', source: null };

describe('memory under security.pii.memory', () => {
  it('masks every type under mask, numbering placeholders per type', () => {
    expect(underPiiPolicy('mask', texts)).toEqual({
      texts: { content: 'Ana ([EMAIL_1]) paid with [PAYMENT_CARD_1].', source: null },
      tags: [PII_MASKED_TAG],
    });
  });

  it('applies per-type actions: an allowed type stays (tagged pii), the rest is masked', () => {
    expect(underPiiPolicy({ default: 'mask', email: 'allow' }, texts)).toEqual({
      texts: { content: 'Ana (ana@example.org) paid with [PAYMENT_CARD_1].', source: null },
      tags: [PII_TAG, PII_MASKED_TAG],
    });
  });

  it('drops the memory when one of its types is blocked (drop and block are the same)', () => {
    expect(underPiiPolicy({ default: 'keep', 'payment-card': 'block' }, texts)).toBeNull();
    expect(underPiiPolicy('drop', texts)).toBeNull();
  });

  it('writes a memory without personal data as it is', () => {
    expect(underPiiPolicy('drop', { content: 'Kettles have a one-year warranty.' })).toEqual({
      texts: { content: 'Kettles have a one-year warranty.' },
      tags: [],
    });
  });
});
