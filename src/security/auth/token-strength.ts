/** The least entropy a bearer token needs on a network bind: 32 bytes, as `openssl rand -base64 32` gives. */
export const MIN_TOKEN_BITS = 256;

/** How to make a strong token, for error messages. */
export const TOKEN_ADVICE =
  'generate one with `openssl rand -base64 32` and set it as server.authToken (e.g. env:AGENTD_TOKEN); clients may then use API keys from `agentd keys create`';

/**
 * A conservative estimate of a token's entropy in bits: log2 of the alphabet its character classes
 * span (lower, upper, digits, other) for each character that is not a repetition, so 43 random
 * base64url characters give ≥ 256 bits. A repetition is counted by distinct three-character
 * windows: a random token has almost one per character, while `aaaa…`, `abab…` or a phrase
 * repeated has a handful, however long it is.
 */
export function estimateTokenBits(token: string): number {
  const chars = [...token];
  if (chars.length === 0) return 0;
  let alphabet = 0;
  if (/[a-z]/.test(token)) alphabet += 26;
  if (/[A-Z]/.test(token)) alphabet += 26;
  if (/[0-9]/.test(token)) alphabet += 10;
  if (/[^a-zA-Z0-9]/.test(token)) alphabet += 33;
  const windows = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) windows.add(chars.slice(i, i + 3).join(''));
  const novel = Math.min(chars.length, windows.size + 2);
  return novel * Math.log2(alphabet);
}

/** Whether a token is strong enough for a server reachable from the network. */
export function isStrongToken(token: string): boolean {
  return estimateTokenBits(token) >= MIN_TOKEN_BITS;
}
