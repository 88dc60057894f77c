// Hand-written: the Porter stemmer exactly as SQLite's FTS5 `porter` tokenizer applies it (its own
// variant of Martin Porter's 1980 algorithm: `y` is a vowel anywhere but first in the *v* test, Step 2
// has `bli` and `logi`, tokens under 3 or over 64 bytes pass through). The npm stemmers implement
// the textbook algorithm or Snowball, which stem some words differently, and the Postgres memory
// store must index the very terms SQLite's FTS5 does so that both rank alike.

const MAX_TOKEN_BYTES = 64;

/** The FTS5 porter stem of one folded (lower-case) token. */
export function porterStem(token: string): string {
  const bytes = Buffer.byteLength(token, 'utf8');
  if (bytes > MAX_TOKEN_BYTES || bytes < 3) return token;
  // One char per UTF-8 byte, as FTS5 stems bytes: a non-ASCII byte is a consonant there too.
  const stemmed = stem(Buffer.from(token, 'utf8').toString('latin1'));
  return Buffer.from(stemmed, 'latin1').toString('utf8');
}

function isVowel(c: string | undefined, yIsVowel: boolean): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || (yIsVowel && c === 'y');
}

/** Past the first vowel-then-consonant run of `w[from, to)`: the index after it, or 0 if none. */
function gobbleVowelConsonant(w: string, from: number, to: number, previousConsonant: boolean): number {
  let consonant = previousConsonant;
  let i = from;
  for (; i < to; i++) {
    consonant = !isVowel(w[i], consonant);
    if (!consonant) break;
  }
  for (i++; i < to; i++) {
    consonant = !isVowel(w[i], consonant);
    if (consonant) return i + 1;
  }
  return 0;
}

/** m > 0 for the stem `w[0, n)`. */
function measureAbove0(w: string, n: number): boolean {
  return gobbleVowelConsonant(w, 0, n, false) !== 0;
}

/** m > 1. */
function measureAbove1(w: string, n: number): boolean {
  const first = gobbleVowelConsonant(w, 0, n, false);
  return first !== 0 && gobbleVowelConsonant(w, first, n, true) !== 0;
}

/** m = 1. */
function measureIs1(w: string, n: number): boolean {
  const first = gobbleVowelConsonant(w, 0, n, false);
  return first !== 0 && gobbleVowelConsonant(w, first, n, true) === 0;
}

/** *o: the stem ends consonant-vowel-consonant, the last not w, x or y. */
function endsCvc(w: string, n: number): boolean {
  const last = w[n - 1];
  if (last === 'w' || last === 'x' || last === 'y') return false;
  let mask = 0;
  let consonant = false;
  for (let i = 0; i < n; i++) {
    consonant = !isVowel(w[i], consonant);
    mask = ((mask << 1) + (consonant ? 1 : 0)) & 0xff;
  }
  return (mask & 7) === 5;
}

/** *v*: the stem holds a vowel (`y` counts anywhere but first). */
function hasVowel(w: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (isVowel(w[i], i > 0)) return true;
  return false;
}

type Condition = (w: string, n: number) => boolean;
/** Suffix, condition on the stem before it, replacement; per step, keyed by the suffix's last-but-one letter. */
type Rule = readonly [suffix: string, condition: Condition, replacement: string];

const STEP_2: Record<string, readonly Rule[]> = {
  a: [
    ['ational', measureAbove0, 'ate'],
    ['tional', measureAbove0, 'tion'],
  ],
  c: [
    ['enci', measureAbove0, 'ence'],
    ['anci', measureAbove0, 'ance'],
  ],
  e: [['izer', measureAbove0, 'ize']],
  g: [['logi', measureAbove0, 'log']],
  l: [
    ['bli', measureAbove0, 'ble'],
    ['alli', measureAbove0, 'al'],
    ['entli', measureAbove0, 'ent'],
    ['eli', measureAbove0, 'e'],
    ['ousli', measureAbove0, 'ous'],
  ],
  o: [
    ['ization', measureAbove0, 'ize'],
    ['ation', measureAbove0, 'ate'],
    ['ator', measureAbove0, 'ate'],
  ],
  s: [
    ['alism', measureAbove0, 'al'],
    ['iveness', measureAbove0, 'ive'],
    ['fulness', measureAbove0, 'ful'],
    ['ousness', measureAbove0, 'ous'],
  ],
  t: [
    ['aliti', measureAbove0, 'al'],
    ['iviti', measureAbove0, 'ive'],
    ['biliti', measureAbove0, 'ble'],
  ],
};

const STEP_3: Record<string, readonly Rule[]> = {
  a: [['ical', measureAbove0, 'ic']],
  s: [['ness', measureAbove0, '']],
  t: [
    ['icate', measureAbove0, 'ic'],
    ['iciti', measureAbove0, 'ic'],
  ],
  u: [['ful', measureAbove0, '']],
  v: [['ative', measureAbove0, '']],
  z: [['alize', measureAbove0, 'al']],
};

const sOrT: Condition = (w, n) => (w[n - 1] === 's' || w[n - 1] === 't') && measureAbove1(w, n);

const STEP_4: Record<string, readonly Rule[]> = {
  a: [['al', measureAbove1, '']],
  c: [
    ['ance', measureAbove1, ''],
    ['ence', measureAbove1, ''],
  ],
  e: [['er', measureAbove1, '']],
  i: [['ic', measureAbove1, '']],
  l: [
    ['able', measureAbove1, ''],
    ['ible', measureAbove1, ''],
  ],
  n: [
    ['ant', measureAbove1, ''],
    ['ement', measureAbove1, ''],
    ['ment', measureAbove1, ''],
    ['ent', measureAbove1, ''],
  ],
  o: [
    ['ion', sOrT, ''],
    ['ou', measureAbove1, ''],
  ],
  s: [['ism', measureAbove1, '']],
  t: [
    ['ate', measureAbove1, ''],
    ['iti', measureAbove1, ''],
  ],
  u: [['ous', measureAbove1, '']],
  v: [['ive', measureAbove1, '']],
  z: [['ize', measureAbove1, '']],
};

/**
 * Applies the first rule whose suffix the word ends with (longer than it); only that rule's condition
 * is checked, as in FTS5. Returns the word, changed or not.
 */
function applyRules(w: string, rules: Record<string, readonly Rule[]>): string {
  const key = w[w.length - 2];
  const candidates = key === undefined ? undefined : rules[key];
  for (const [suffix, condition, replacement] of candidates ?? []) {
    if (w.length > suffix.length && w.endsWith(suffix)) {
      const stemLength = w.length - suffix.length;
      return condition(w, stemLength) ? w.slice(0, stemLength) + replacement : w;
    }
  }
  return w;
}

function stem(word: string): string {
  let w = word;
  // Step 1a.
  if (w.endsWith('s')) {
    if (w[w.length - 2] === 'e') {
      const two = (w.length > 4 && w.endsWith('sses')) || (w.length > 3 && w[w.length - 3] === 'i');
      w = w.slice(0, two ? -2 : -1);
    } else if (w[w.length - 2] !== 's') {
      w = w.slice(0, -1);
    }
  }
  // Step 1b.
  let removed = false;
  if (w.length > 3 && w.endsWith('eed')) {
    if (measureAbove0(w, w.length - 3)) w = w.slice(0, -1);
  } else if (w.length > 2 && w.endsWith('ed')) {
    if (hasVowel(w, w.length - 2)) {
      w = w.slice(0, -2);
      removed = true;
    }
  } else if (w.length > 3 && w.endsWith('ing')) {
    if (hasVowel(w, w.length - 3)) {
      w = w.slice(0, -3);
      removed = true;
    }
  }
  if (removed) {
    if (w.length > 2 && (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz'))) {
      w += 'e';
    } else {
      const c = w[w.length - 1];
      if (!isVowel(c, false) && c !== 'l' && c !== 's' && c !== 'z' && c === w[w.length - 2]) {
        w = w.slice(0, -1);
      } else if (measureIs1(w, w.length) && endsCvc(w, w.length)) {
        w += 'e';
      }
    }
  }
  // Step 1c.
  if (w.endsWith('y') && hasVowel(w, w.length - 1)) w = `${w.slice(0, -1)}i`;
  // Steps 2–4.
  w = applyRules(w, STEP_2);
  w = applyRules(w, STEP_3);
  w = applyRules(w, STEP_4);
  // Step 5a.
  if (w.endsWith('e')) {
    const n = w.length - 1;
    if (measureAbove1(w, n) || (measureIs1(w, n) && !endsCvc(w, n))) w = w.slice(0, -1);
  }
  // Step 5b.
  if (w.length > 1 && w.endsWith('ll') && measureAbove1(w, w.length - 1)) w = w.slice(0, -1);
  return w;
}
