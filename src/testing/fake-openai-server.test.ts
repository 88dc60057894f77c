import { describe, expect, it } from 'vitest';
import { fakeEmbedding } from './fake-openai-server.js';

describe('fakeEmbedding', () => {
  const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * (b[i] ?? 0), 0);

  it('is deterministic, unit length, and ignores case and punctuation', () => {
    const a = fakeEmbedding('The cat sat.', 32);
    expect(a).toEqual(fakeEmbedding('the CAT sat', 32));
    expect(cosine(a, a)).toBeCloseTo(1, 5);
  });

  it('scores texts sharing words above unrelated texts', () => {
    const cat = fakeEmbedding('the cat sat on the mat', 64);
    expect(cosine(cat, fakeEmbedding('a cat on a mat', 64))).toBeGreaterThan(
      cosine(cat, fakeEmbedding('quarterly revenue grew', 64)),
    );
  });

  it('gives a text without words a unit vector rather than zeros', () => {
    expect(Array.from(fakeEmbedding('  ...  ', 4))).toEqual([1, 0, 0, 0]);
  });
});
