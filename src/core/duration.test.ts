import { describe, expect, it } from 'vitest';
import { DURATION_FORMAT_MESSAGE, DurationSchema, parseDuration, readDuration } from './duration.js';

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

describe('readDuration', () => {
  it('says why a duration is refused: format, zero or too long', () => {
    expect(readDuration('2h')).toEqual({ ok: true, ms: 7_200_000 });
    expect(readDuration('0d')).toEqual({ ok: false, reason: 'must be more than 0 (e.g. 1m)' });
    expect(readDuration('999999w')).toEqual({ ok: false, reason: 'at most 100 years' });
    expect(readDuration('1.5h')).toEqual({ ok: false, reason: DURATION_FORMAT_MESSAGE });
  });

  it('gives the reason as the schema message', () => {
    const refused = DurationSchema.safeParse('0m');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('must be more than 0 (e.g. 1m)');
    expect(DurationSchema.parse('30d')).toBe('30d');
  });
});
