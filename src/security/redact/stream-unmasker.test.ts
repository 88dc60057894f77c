import { describe, expect, it } from 'vitest';
import { createPiiMasker } from './pii-masker.js';
import { createStreamUnmasker } from './stream-unmasker.js';

/** A masker that has issued ⟦EMAIL_1⟧ for a@b.co and ⟦PHONE_1⟧ for 415-555-0132. */
function maskerWithValues() {
  const masker = createPiiMasker();
  masker.mask('a@b.co 415-555-0132');
  return masker;
}

describe('createStreamUnmasker', () => {
  it('holds back a placeholder split across chunks until it is complete', () => {
    const stream = createStreamUnmasker(maskerWithValues());
    expect(stream.push('Hi ⟦EMA')).toBe('Hi ');
    expect(stream.push('IL_1⟧ ok')).toBe('a@b.co ok');
    expect(stream.flush()).toBe('');
  });

  it('reassembles placeholders split one character at a time', () => {
    const stream = createStreamUnmasker(maskerWithValues());
    const output = [...'call ⟦PHONE_1⟧ or mail ⟦EMAIL_1⟧.']
      .map((character) => stream.push(character))
      .join('');
    expect(output + stream.flush()).toBe('call 415-555-0132 or mail a@b.co.');
  });

  it('passes text through at once when it holds no partial placeholder', () => {
    const stream = createStreamUnmasker(maskerWithValues());
    expect(stream.push('plain ⟦ bracket, ')).toBe('plain ⟦ bracket, ');
    expect(stream.push('⟦EMAIL_1⟧ and ⟦PHONE_1⟧')).toBe('a@b.co and 415-555-0132');
  });

  it('returns a dangling partial placeholder on flush, unchanged', () => {
    const stream = createStreamUnmasker(maskerWithValues());
    expect(stream.push('end ⟦EMAIL_')).toBe('end ');
    expect(stream.flush()).toBe('⟦EMAIL_');
    expect(stream.flush()).toBe('');
  });

  it('leaves unknown placeholders as they are', () => {
    const stream = createStreamUnmasker(maskerWithValues());
    expect(stream.push('⟦EMAIL_7')).toBe('');
    expect(stream.push('⟧!')).toBe('⟦EMAIL_7⟧!');
  });
});
