import { describe, expect, it } from 'vitest';
import { loadTokenCounter } from './count-tokens.js';

describe('loadTokenCounter', () => {
  it('counts the empty text as zero tokens', async () => {
    const count = await loadTokenCounter();

    expect(count('')).toBe(0);
  });

  it('counts an English sentence in the o200k_base encoding', async () => {
    const count = await loadTokenCounter();

    expect(count('The quick brown fox jumps over the lazy dog.')).toBe(10);
  });

  it('counts more tokens for a longer text', async () => {
    const count = await loadTokenCounter();
    const sentence = 'The quick brown fox jumps over the lazy dog.';

    expect(count(sentence.repeat(10))).toBeGreaterThan(count(sentence));
  });

  it('loads the encoding once and hands every caller the same counter', async () => {
    const [first, second] = await Promise.all([loadTokenCounter(), loadTokenCounter()]);

    expect(second).toBe(first);
  });
});
