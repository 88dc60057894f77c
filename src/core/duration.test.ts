import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads a whole number with one unit', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('2w')).toBe(14 * 86_400_000);
    expect(parseDuration(' 1d ')).toBe(86_400_000);
  });

  it('refuses anything else: no unit, zero, fractions, compound forms, absurd lengths', () => {
    for (const text of ['30', '0d', '1.5h', '1h30m', 'd', '-1d', '30 d', '30D', '999999w', ''])
      expect(parseDuration(text), text).toBeUndefined();
  });
});
