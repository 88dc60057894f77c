/** A source of uniform random numbers in [0, 1). */
export type Random = () => number;

/**
 * A seeded generator (mulberry32), so a seeded run (the router's `exploration.seed`, a test's data)
 * repeats exactly. Hand-written: it is six lines, and Math.random cannot be seeded.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
