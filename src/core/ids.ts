import { randomBytes } from 'node:crypto';

// Hand-written because the ids only need to sort by creation time and be unique; a
// dependency (ulid) would add nothing but a package.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

function encode(value: number, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i++) {
    out = ALPHABET[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

let lastMs = -1;
let counter = 0;

/**
 * A new id like `task_01jcz…`: a prefix, then base32 of the time (ms), a per-process counter
 * (so ids made in the same millisecond still sort in creation order) and 50 random bits.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  if (now === lastMs) counter++;
  else {
    lastMs = now;
    counter = 0;
  }
  let tail = '';
  for (const byte of randomBytes(10)) tail += ALPHABET[byte % 32];
  return `${prefix}_${encode(now, 10)}${encode(counter, 3)}${tail}`;
}
