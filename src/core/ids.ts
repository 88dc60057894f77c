import { randomBytes } from 'node:crypto';

// Hand-written because the ids only need to sort by creation time and be unique; a
// dependency (ulid) would add nothing but a package.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encodeTime(ms: number): string {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
}

/** A new id like `task_01jcz…`: a prefix, then time-sortable base32 (ms) and 64 random bits. */
export function newId(prefix: string, now: number = Date.now()): string {
  const random = randomBytes(8);
  let tail = '';
  for (const byte of random) tail += ALPHABET[byte % 32];
  return `${prefix}_${encodeTime(now)}${tail}`;
}
