import { describe, expect, it } from 'vitest';
import { countOf } from './plural.js';

describe('countOf', () => {
  it('puts the noun in the number of the count', () => {
    expect(countOf(1, 'round')).toBe('1 round');
    expect(countOf(0, 'round')).toBe('0 rounds');
    expect(countOf(3, 'model call')).toBe('3 model calls');
    expect(countOf(2, 'memory', 'memories')).toBe('2 memories');
  });
});
