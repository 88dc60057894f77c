import { describe, expect, it } from 'vitest';
import { createTokenBuckets } from './token-bucket.js';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('token buckets', () => {
  it('allows a burst, then refuses with the seconds until the next token, and refills over time', () => {
    const time = clock();
    const buckets = createTokenBuckets({ capacity: 3, perSecond: 0.5, clock: time });
    expect([1, 2, 3].map(() => buckets.take('a').allowed)).toEqual([true, true, true]);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(buckets.peek('a')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    expect(buckets.take('b').allowed).toBe(true);
    time.advance(1_000);
    expect(buckets.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    time.advance(1_000);
    expect(buckets.take('a').allowed).toBe(true);
    expect(buckets.take('a').allowed).toBe(false);
    // Never more than the capacity, however long the wait.
    time.advance(3_600_000);
    expect([1, 2, 3, 4].map(() => buckets.take('a').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps at most maxKeys buckets, dropping the least recently used', () => {
    const time = clock();
    const buckets = createTokenBuckets({ capacity: 1, perSecond: 0.001, clock: time, maxKeys: 2 });
    buckets.take('a');
    buckets.take('b');
    expect(buckets.peek('a').allowed).toBe(false);
    buckets.take('c');
    // `b` was used least recently (a was peeked after it): `a` is kept, `b` comes back full.
    expect(buckets.peek('a').allowed).toBe(false);
    expect(buckets.peek('b').allowed).toBe(true);
  });
});
