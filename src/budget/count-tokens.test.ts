import { describe, expect, it } from 'vitest';
import { countTokens, tokenUpperBound } from './count-tokens.js';

describe('countTokens', () => {
  it('counts the empty text as zero tokens', async () => {
    expect(await countTokens('')).toBe(0);
  });

  it('counts an English sentence in the o200k_base encoding', async () => {
    expect(await countTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
  });

  it('counts more tokens for a longer text', async () => {
    const sentence = 'The quick brown fox jumps over the lazy dog.';
    const [one, ten] = await Promise.all([countTokens(sentence), countTokens(sentence.repeat(10))]);
    expect(ten).toBeGreaterThan(one);
  });

  it('answers concurrent counts each with its own text’s count', async () => {
    const texts = ['a', 'a b', 'a b c d', 'The quick brown fox jumps over the lazy dog.'];
    expect(await Promise.all(texts.map((text) => countTokens(text)))).toEqual([1, 2, 4, 10]);
  });
});

describe('tokenUpperBound', () => {
  it('is the UTF-8 length, which no count of the text exceeds', async () => {
    const texts = [
      '',
      'The quick brown fox.',
      'naïve café — ünïcödé',
      '東京都の天気',
      '🙂🙃 emoji',
      'x'.repeat(5000),
    ];
    for (const text of texts) {
      expect(tokenUpperBound(text)).toBe(Buffer.byteLength(text, 'utf8'));
      expect(await countTokens(text)).toBeLessThanOrEqual(tokenUpperBound(text));
    }
  });
});
