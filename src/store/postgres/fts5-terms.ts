import { createHash } from 'node:crypto';
import { FOLDS, STARTS_TOKEN, WITHIN_TOKEN } from './fts5-unicode-table.js';
import { porterStem } from './porter-stemmer.js';

// Hand-written: the tokens of SQLite FTS5's `porter unicode61` tokenizer (what the SQLite memory
// store indexes), computed in the worker so that Postgres indexes and counts the same terms and BM25
// ranks alike. Postgres's own text search configurations differ: `english` stems with Snowball and
// drops stopwords, `simple` does not stem, and both parse with the database locale. Which characters
// make tokens and how they fold comes from FTS5 itself (fts5-unicode-table.ts, generated).

// Postgres refuses tsvector lexemes over 2 KB; longer tokens are indexed by a digest, marked with a
// character no token holds so that it never equals a real one.
const MAX_LEXEME_BYTES = 1_000;

const FOLD = new Map<number, string>();
for (let i = 0; i < FOLDS.length; i += 2) FOLD.set(FOLDS[i] as number, FOLDS[i + 1] as string);

/** Whether `cp` lies in one of the flattened inclusive ranges (binary search). */
function inRanges(ranges: readonly number[], cp: number): boolean {
  let low = 0;
  let high = ranges.length / 2 - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (cp < (ranges[middle * 2] as number)) high = middle - 1;
    else if (cp > (ranges[middle * 2 + 1] as number)) low = middle + 1;
    else return true;
  }
  return false;
}

function isAsciiTokenChar(cp: number): boolean {
  return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
}

/** The lexeme Postgres stores for a stemmed token. */
function lexeme(stemmed: string): string {
  if (Buffer.byteLength(stemmed, 'utf8') <= MAX_LEXEME_BYTES) return stemmed;
  return `#${createHash('sha1').update(stemmed).digest('hex')}`;
}

/** The terms of a text in order, as FTS5 `porter unicode61` indexes them (repeats included). */
export function fts5Terms(text: string): string[] {
  const terms: string[] = [];
  let token = '';
  let inToken = false;
  const finish = () => {
    if (inToken && token !== '') terms.push(lexeme(porterStem(token)));
    token = '';
    inToken = false;
  };
  for (const char of text) {
    let cp = char.codePointAt(0) as number;
    // A lone surrogate reaches SQLite as U+FFFD (UTF-8 has no surrogates).
    if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
    if (cp < 0x80) {
      if (!isAsciiTokenChar(cp)) finish();
      else {
        inToken = true;
        token += cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : char;
      }
      continue;
    }
    if (inToken ? !inRanges(WITHIN_TOKEN, cp) : !inRanges(STARTS_TOKEN, cp)) {
      finish();
      continue;
    }
    inToken = true;
    token += FOLD.get(cp) ?? String.fromCodePoint(cp);
  }
  finish();
  return terms;
}

/** A text's term counts and its length in tokens (what BM25 needs of a document). */
export function documentTerms(text: string): { counts: Map<string, number>; length: number } {
  const terms = fts5Terms(text);
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return { counts, length: terms.length };
}
