import { createHash, randomBytes } from 'node:crypto';

/** What every agentd API key starts with, so secret scanners and people recognise one. */
export const API_KEY_PREFIX = 'agd_';

/** A freshly minted key: the secret (shown once), its stored hash and its non-secret prefix. */
export interface ApiKeyMaterial {
  /** `agd_<id>_<secret>`: the whole thing is the credential. */
  key: string;
  /** `agd_<id>`: identifies the key in listings and logs; reveals nothing of the secret. */
  prefix: string;
  /** SHA-256 of the key, hex: what the store keeps. */
  hash: string;
}

/**
 * Mints a key: 8 random hex characters that name it, then 32 random bytes (256 bits) of secret in
 * base64url. The name is not part of the secret's entropy; it only makes the prefix non-secret.
 */
export function mintApiKey(random: (size: number) => Buffer = randomBytes): ApiKeyMaterial {
  const prefix = `${API_KEY_PREFIX}${random(4).toString('hex')}`;
  const key = `${prefix}_${random(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/**
 * The stored form of a key. A plain SHA-256 suffices: the key holds 256 random bits, so no
 * dictionary or brute force reaches it, and a fast, deterministic hash lets a request find its key
 * by an index lookup (a salted slow hash would cost milliseconds per request for no gain).
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Whether `text` looks like an agentd API key (so a failed lookup can say which kind of credential failed). */
export function looksLikeApiKey(text: string): boolean {
  return /^agd_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/.test(text);
}
