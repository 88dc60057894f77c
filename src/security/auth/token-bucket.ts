import type { Clock } from '../../core/clock.js';

/** A token bucket's verdict: allowed, or when (in whole seconds) to try again. */
export type BucketVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Token buckets by key (a client address, an API key id): `capacity` burst, `perSecond` refill. */
export interface TokenBuckets {
  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string): BucketVerdict;
  /** Whether `key`'s bucket is empty now, without taking anything. */
  peek(key: string): BucketVerdict;
  /** Forgets every bucket. */
  clear(): void;
}

/**
 * Token buckets held in memory. At most `maxKeys` buckets are kept: the least recently used is
 * dropped first, so a flood of distinct keys (spoofed addresses) costs bounded memory; a dropped
 * bucket comes back full, which only forgives a client nobody has heard from for a while.
 */
export function createTokenBuckets(options: {
  capacity: number;
  perSecond: number;
  clock: Clock;
  maxKeys?: number;
}): TokenBuckets {
  const { capacity, perSecond, clock } = options;
  const maxKeys = options.maxKeys ?? 10_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function current(key: string): { tokens: number; at: number } {
    const now = clock.now();
    const bucket = buckets.get(key);
    const tokens = bucket
      ? Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * perSecond)
      : capacity;
    const next = { tokens, at: now };
    // Map order is insertion order: re-inserting marks the key most recently used.
    buckets.delete(key);
    buckets.set(key, next);
    if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    return next;
  }

  function verdict(tokens: number): BucketVerdict {
    if (tokens >= 1) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)) };
  }

  return {
    take(key) {
      const bucket = current(key);
      const result = verdict(bucket.tokens);
      if (result.allowed) bucket.tokens -= 1;
      return result;
    },
    peek: (key) => verdict(current(key).tokens),
    clear: () => buckets.clear(),
  };
}
