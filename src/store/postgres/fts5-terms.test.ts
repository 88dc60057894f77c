import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.js';
import { documentTerms, fts5Terms } from './fts5-terms.js';

// The oracle: SQLite's own FTS5 with the tokenizer the SQLite memory store uses, read back through
// fts5vocab in token order.
const db = new Database(':memory:');
db.exec(`
  CREATE VIRTUAL TABLE docs USING fts5(content, tokenize = 'porter unicode61');
  CREATE VIRTUAL TABLE postings USING fts5vocab(docs, instance);
`);
afterAll(() => db.close());

function sqliteTerms(texts: readonly string[]): string[][] {
  db.exec('DELETE FROM docs');
  const insert = db.prepare('INSERT INTO docs (rowid, content) VALUES (?, ?)');
  db.transaction(() => texts.forEach((text, i) => insert.run(i + 1, text)))();
  const rows = db.prepare('SELECT doc, term FROM postings ORDER BY doc, offset').all() as {
    doc: number;
    term: string;
  }[];
  const terms = texts.map((): string[] => []);
  for (const row of rows) terms[row.doc - 1]?.push(row.term);
  return terms;
}

// Words that exercise each step of the Porter algorithm (and FTS5's variants of it).
const WORDS = `caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled
sized hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational
valency hesitancy digitizer conformabli radicalli differentli vileli analogousli vietnamization
predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti
sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival allowance
inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent
adoption homologou communism activate angulariti homologous effective bowdlerize probate rate cease
controll roll generalizations oscillators archaeology biology syzygy eed aed yying running runs
a an is it's don't I've e-mail 3.14 2023-05-08 x² ＱＷＥ ﬁne`;

const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'        .,;:!?\'"-_()[]/\\@#$%&*+=<>|~`^',
  ...'éèêëÉÀÂÄÖÜßøæœçñÑ',
  ...'αβγΣσςΑΩάέ',
  ...'абвгдЖЗИ',
  ...'日本語中文한국어',
  ...'\u0301\u0308\u0327\u200b\u00a0\u2014\u2019',
  '🧘‍♀️',
  '😀',
  '👍🏽',
  '\ud800',
  'İ',
  'ǅ',
];

describe('fts5Terms', () => {
  it('stems every word exactly as FTS5 porter does', () => {
    const words = WORDS.split(/\s+/);
    expect(words.map((word) => fts5Terms(word))).toEqual(sqliteTerms(words));
  });

  it('tokenizes and folds random text of many scripts exactly as FTS5 unicode61 does', () => {
    const random = seededRandom(42);
    const texts = Array.from({ length: 400 }, () =>
      Array.from(
        { length: 1 + Math.floor(random() * 60) },
        () => ALPHABET[Math.floor(random() * ALPHABET.length)],
      ).join(''),
    );
    expect(texts.map((text) => fts5Terms(text))).toEqual(sqliteTerms(texts));
  });

  it('indexes a token too long for a Postgres lexeme by its digest', () => {
    const long = 'x'.repeat(3_000);
    const [term] = fts5Terms(`${long} short`);
    expect(term).toMatch(/^#[0-9a-f]{40}$/);
    expect(documentTerms(`${long} ${long} short`)).toEqual({
      counts: new Map([
        [term, 2],
        ['short', 1],
      ]),
      length: 3,
    });
  });
});
