import type Database from 'better-sqlite3';

// FTS5's bm25() constants (fts5_aux.c): k1 and b, and the floor of a phrase's IDF.
const K1 = 1.2;
const B = 0.75;
const IDF_FLOOR = 1e-6;
// How many words' stems a connection remembers (forgotten all at once when full: stems never change).
const REMEMBERED_STEMS = 65_536;

/** An FTS5 table's row count and average row length in tokens (every column), as bm25() reads them. */
export interface Fts5Totals {
  rows: number;
  averageLength: number;
}

/**
 * The row count and token totals FTS5 keeps in its averages record (`<table>_data`, id 1: varints
 * of the row count and of each column's token count), read in O(1) instead of counted. FTS5's
 * bm25() reads the same record, so scores computed from it are bm25()'s.
 */
export function readFts5Totals(db: Database.Database, table: string): Fts5Totals {
  const row = db.prepare(`SELECT block FROM ${table}_data WHERE id = 1`).get() as
    { block: Buffer } | undefined;
  if (!row) return { rows: 0, averageLength: 0 };
  const [rows = 0, ...columns] = readVarints(row.block);
  const tokens = columns.reduce((sum, n) => sum + n, 0);
  return { rows, averageLength: rows > 0 ? tokens / rows : 0 };
}

/** The SQLite varints of a blob (FTS5's averages and docsize records are sequences of them). */
export function readVarints(blob: Uint8Array): number[] {
  const values: number[] = [];
  let i = 0;
  while (i < blob.length) {
    let value = 0;
    // SQLite varints: 7 bits a byte, high bit set means more; a ninth byte holds 8 bits. Token counts
    // stay far below 2^53, so plain arithmetic is exact.
    for (let n = 0; n < 9 && i < blob.length; n++) {
      const byte = blob[i++] as number;
      if (n === 8) {
        value = value * 256 + byte;
        break;
      }
      value = value * 128 + (byte & 0x7f);
      if ((byte & 0x80) === 0) break;
    }
    values.push(value);
  }
  return values;
}

/** A phrase's inverse document frequency as FTS5's bm25() computes it (floored at 1e-6). */
export function bm25Idf(rows: number, documents: number): number {
  const idf = Math.log((rows - documents + 0.5) / (documents + 0.5));
  return idf <= 0 ? IDF_FLOOR : idf;
}

/** One phrase's share of a row's bm25() score: `tf` instances in a row of `length` tokens. */
export function bm25Term(idf: number, tf: number, length: number, averageLength: number): number {
  if (tf === 0) return 0;
  return (idf * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * length) / (averageLength || 1)));
}

/**
 * A text's tokens as FTS5's `unicode61` tokenizer splits them (runs of letters and digits, lower
 * case, diacritics removed), without stemming.
 */
export function unicode61Tokens(text: string): string[] {
  const tokens = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  // eslint-disable-next-line no-control-regex
  return tokens.map((token) => (/[^\u0000-\u007f]/.test(token) ? fold(token) : token));
}

function fold(token: string): string {
  return token.normalize('NFD').replace(/\p{M}/gu, '');
}

/**
 * Stems words exactly as the `porter unicode61` tokenizer of the memory index does, by asking
 * SQLite's own tokenizer (an FTS5 table in the connection's temp schema and its vocabulary): the
 * stems of a hand-written stemmer would differ at the edges, and a term frequency counted with them
 * would not be the one FTS5 counts. Stems are remembered per connection.
 */
export class Fts5Stemmer {
  readonly #db: Database.Database;
  readonly #stems = new Map<string, string>();
  #ready = false;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** The stems of the words (tokens as {@link unicode61Tokens} makes them), in order. */
  stems(words: readonly string[]): string[] {
    const unknown = [...new Set(words.filter((word) => !this.#stems.has(word)))];
    if (unknown.length > 0) this.#learn(unknown);
    return words.map((word) => this.#stems.get(word) ?? word);
  }

  #learn(words: string[]): void {
    if (!this.#ready) {
      this.#db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS temp.agentd_stemmer
          USING fts5(word, tokenize = 'porter unicode61', detail = column);
        CREATE VIRTUAL TABLE IF NOT EXISTS temp.agentd_stemmer_terms
          USING fts5vocab(temp, agentd_stemmer, 'instance');
      `);
      this.#ready = true;
    }
    if (this.#stems.size + words.length > REMEMBERED_STEMS) this.#stems.clear();
    const insert = this.#db.prepare('INSERT INTO temp.agentd_stemmer (rowid, word) VALUES (?, ?)');
    const rows = this.#db.transaction(() => {
      words.forEach((word, i) => insert.run(i + 1, word));
      const found = this.#db.prepare('SELECT term, doc FROM temp.agentd_stemmer_terms').all() as {
        term: string;
        doc: number;
      }[];
      this.#db.prepare('DELETE FROM temp.agentd_stemmer').run();
      return found;
    })();
    for (const { term, doc } of rows) {
      const word = words[doc - 1];
      if (word !== undefined) this.#stems.set(word, term);
    }
    // A word the tokenizer makes nothing of (none here: words are runs of letters and digits).
    for (const word of words) if (!this.#stems.has(word)) this.#stems.set(word, word);
  }
}
