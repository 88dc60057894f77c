/** The least entropy a bearer token needs on a network bind: 32 bytes, as `openssl rand -base64 32` gives. */
export const MIN_TOKEN_BITS = 256;

/** How to make a strong token, for error messages. */
export const TOKEN_ADVICE =
  'generate one with `openssl rand -base64 32` (or create an API key with `agentd keys create --name NAME --role admin`)';

/**
 * A conservative estimate of a token's entropy in bits: its length times log2 of the alphabet its
 * character classes span (lower, upper, digits, other), so 43 base64url characters give ≥ 256 bits.
 * Tokens that repeat characters (`aaaa…`, `abab…`) are capped by their Shannon entropy per
 * character, which is what a human-chosen pattern really has.
 */
export function estimateTokenBits(token: string): number {
  const chars = [...token];
  if (chars.length === 0) return 0;
  let alphabet = 0;
  if (/[a-z]/.test(token)) alphabet += 26;
  if (/[A-Z]/.test(token)) alphabet += 26;
  if (/[0-9]/.test(token)) alphabet += 10;
  if (/[^a-zA-Z0-9]/.test(token)) alphabet += 33;
  const byClass = chars.length * Math.log2(alphabet);
  const counts = new Map<string, number>();
  for (const char of chars) counts.set(char, (counts.get(char) ?? 0) + 1);
  let shannon = 0;
  for (const count of counts.values()) {
    const p = count / chars.length;
    shannon -= p * Math.log2(p);
  }
  // A random token's per-character Shannon entropy approaches log2(alphabet) only for long
  // tokens; below 3 bits per character (fewer than ~8 equally used characters) it is a pattern.
  return shannon < 3 ? chars.length * shannon : byClass;
}

/** Whether a token is strong enough for a server reachable from the network. */
export function isStrongToken(token: string): boolean {
  return estimateTokenBits(token) >= MIN_TOKEN_BITS;
}
