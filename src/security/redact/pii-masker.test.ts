import { describe, expect, it } from 'vitest';
import { detectPii } from './detect-pii.js';
import { createPiiMasker } from './pii-masker.js';

const text =
  'Alice (alice@example.com, +1 (415) 555-0132) paid with 4111 1111 1111 1111 from 10.0.0.1; ' +
  'IBAN DE89370400440532013000, SSN 123-45-6789. Reply to alice@example.com or bob@example.org.';

describe('createPiiMasker', () => {
  it('replaces values with numbered placeholders and restores them', () => {
    const masker = createPiiMasker();
    const masked = masker.mask(text);
    expect(masked).toBe(
      'Alice (⟦EMAIL_1⟧, ⟦PHONE_1⟧) paid with ⟦PAYMENT_CARD_1⟧ from ⟦IP_ADDRESS_1⟧; ' +
        'IBAN ⟦IBAN_1⟧, SSN ⟦US_SSN_1⟧. Reply to ⟦EMAIL_1⟧ or ⟦EMAIL_2⟧.',
    );
    expect(masker.unmask(masked)).toBe(text);
  });

  it('leaves none of the original values in the masked text', () => {
    const masked = createPiiMasker().mask(text);
    for (const { value } of detectPii(text)) expect(masked).not.toContain(value);
    expect(detectPii(masked)).toEqual([]);
  });

  it('keeps the same placeholder for the same value across calls and counts distinct values', () => {
    const masker = createPiiMasker();
    expect(masker.mask('from a@b.co')).toBe('from ⟦EMAIL_1⟧');
    expect(masker.mask('to c@d.co, cc a@b.co')).toBe('to ⟦EMAIL_2⟧, cc ⟦EMAIL_1⟧');
    expect(masker.count).toBe(2);
    expect(masker.unmask('⟦EMAIL_2⟧ then ⟦EMAIL_1⟧')).toBe('c@d.co then a@b.co');
  });

  it('leaves placeholders it did not issue and ordinary brackets as they are', () => {
    const masker = createPiiMasker();
    masker.mask('a@b.co');
    expect(masker.unmask('⟦EMAIL_1⟧ ⟦EMAIL_9⟧ ⟦PHONE_1⟧ ⟦note⟧')).toBe('a@b.co ⟦EMAIL_9⟧ ⟦PHONE_1⟧ ⟦note⟧');
  });

  it('keeps separate mappings per masker', () => {
    const first = createPiiMasker();
    const second = createPiiMasker();
    first.mask('a@b.co');
    expect(second.mask('c@d.co')).toBe('⟦EMAIL_1⟧');
    expect(first.unmask('⟦EMAIL_1⟧')).toBe('a@b.co');
    expect(second.unmask('⟦EMAIL_1⟧')).toBe('c@d.co');
  });

  it('restores values containing replacement patterns literally', () => {
    const masker = createPiiMasker();
    const value = "o'$&$1@example.com";
    const masked = masker.mask(`mail ${value}`);
    expect(masker.unmask(masked)).toBe(`mail ${value}`);
  });

  it('masks only the kinds asked for', () => {
    const masker = createPiiMasker({ kinds: ['email'] });
    expect(masker.mask('a@b.co from 10.0.0.1')).toBe('⟦EMAIL_1⟧ from 10.0.0.1');
    expect(masker.count).toBe(1);
  });

  it('returns text without sensitive values unchanged', () => {
    const masker = createPiiMasker();
    expect(masker.mask('version 1.2.3, released 2026-11-22')).toBe('version 1.2.3, released 2026-11-22');
    expect(masker.count).toBe(0);
  });
});
