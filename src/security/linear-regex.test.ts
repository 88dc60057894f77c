import { describe, expect, it } from 'vitest';
import { AgentdError } from '../core/errors.js';
import { compileLinearRegex, MAX_PROGRAM_SIZE, MAX_SCAN_COST } from './linear-regex.js';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof AgentdError ? error.code : 'plain';
  }
  return undefined;
}

describe('compileLinearRegex', () => {
  it('finds every match, left to right, with UTF-16 offsets', () => {
    expect(compileLinearRegex('ACME-\\d{3}').all('a ACME-123, ACME-456 é')).toEqual([
      { start: 2, end: 10, text: 'ACME-123' },
      { start: 12, end: 20, text: 'ACME-456' },
    ]);
    expect(compileLinearRegex('secret', 'i').first('the SeCrEt')).toEqual({
      start: 4,
      end: 10,
      text: 'SeCrEt',
    });
  });

  it('refuses backreferences and programs over the size limit', () => {
    expect(() => compileLinearRegex('(a)\\1')).toThrow(/linear-time engine/);
    expect(() => compileLinearRegex('(?s)(.+){1000}')).toThrow(new RegExp(`limit is ${MAX_PROGRAM_SIZE}`));
  });

  it('refuses a text longer than the pattern may scan, before scanning', () => {
    const regex = compileLinearRegex('a+b');
    expect(codeOf(() => regex.first('a'.repeat(MAX_SCAN_COST)))).toBe('regex.too_costly');
  });

  it('stops a search for every match that would read the text over and over (quadratic)', () => {
    // Each search for the next `a` reads to the end of the text looking for a `b`: 20,000
    // characters read 200 million times without the bound, within the size × length limit.
    const regex = compileLinearRegex('a.*b|a');
    expect(codeOf(() => regex.all('a'.repeat(20_000)))).toBe('regex.too_costly');
    // Short texts and ordinary patterns are not affected.
    expect(regex.all('aaab')).toEqual([{ start: 0, end: 4, text: 'aaab' }]);
    const email = compileLinearRegex('[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}');
    expect(email.all('write to bob@example.com or amy@example.org '.repeat(2_000))).toHaveLength(4_000);
  });
});
