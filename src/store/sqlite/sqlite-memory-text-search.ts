import type Database from 'better-sqlite3';
import type { MemoryFilter, MemoryHit } from '../memory-store.js';
import { filterSql } from './memory-filter-sql.js';
import { statementCache } from './statement-cache.js';

// How many of the most recent matches of dropped words a text search looks at to fill up its hits.
const FILL_EXAMINED = 1_000;
// How many words' document counts a connection remembers (the oldest counted is forgotten first).
const REMEMBERED_WORDS = 16_384;

/** A word's document count as counted: at which highest rowid, own change count and data_version. */
interface WordCount {
  /** How many memories contain the word, counted up to `cap` (half the highest rowid then). */
  count: number;
  cap: number;
  changes: number;
  dataVersion: number;
}

/** What a connection knows about the words of its memories. */
interface ConnectionWords {
  /** Memories added, deleted or given new content through this connection (rolled back ones too). */
  changes: number;
  counts: Map<string, WordCount>;
}

// Per connection, so that every store on it counts the others' writes (they change no data_version).
const connections = new WeakMap<Database.Database, ConnectionWords>();

/**
 * Full-text search over the FTS5 index `memories_fts`, scoped to the tenant and layers inside FTS5,
 * ranked by FTS5's BM25. The words in at least half of all memories are matched only to fill up (see
 * {@link MemoryTextSearch.terms}); whether a word is one of them is decided from counts kept per
 * connection and bounded by the changes since they were counted, not counted again per query.
 */
export class MemoryTextSearch {
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#prepare = statementCache(db);
  }

  /** Records that a memory was added, deleted or given new content through this connection. */
  noteChange(): void {
    this.#words().changes++;
  }

  /** The best `limit` matches of the text's words within the filter, best first. */
  search(query: { text: string; filter: MemoryFilter; limit: number }): MemoryHit[] {
    if (query.limit <= 0) return [];
    const terms = this.terms(query.text);
    if (!terms) return [];
    const where = filterSql(query.filter);
    const params = { ...where.params, limit: query.limit };
    // FTS5 narrows the matches to the tenant and layers (column search_scope, weight 0 in BM25);
    // the filter then checks each one on memories_search_filter, not on its row. bm25() is lower for
    // better matches; its negation is reported so that higher is better.
    const scope = scopeMatch(query.filter);
    const hits = this.#prepare(
      `
      SELECT m.id AS id, -bm25(memories_fts, 1, 0) AS score
      FROM memories_fts CROSS JOIN memories m INDEXED BY memories_search_filter ON m.rowid = memories_fts.rowid
      WHERE memories_fts MATCH @match AND ${where.sql}
      ORDER BY bm25(memories_fts, 1, 0) LIMIT @limit
    `,
    ).all({ ...params, match: `(content : (${ftsOr(terms.kept)})) AND (${scope})` }) as MemoryHit[];
    if (hits.length >= query.limit || terms.dropped.length === 0) return hits;
    // Too few memories match the kept words: fill up with those matching only dropped words. Their
    // BM25 scores are tiny (a word in half the memories has an IDF of ~0), so which of them come
    // first is close to arbitrary: only the FILL_EXAMINED most recent matches are looked at (FTS5
    // walks rowids backwards), so a filter that passes none of them costs no more than that.
    const fill = this.#prepare(
      `
      WITH recent AS (
        SELECT rowid, bm25(memories_fts, 1, 0) AS rank FROM memories_fts
        WHERE memories_fts MATCH @match ORDER BY rowid DESC LIMIT @examined
      )
      SELECT m.id AS id, -recent.rank AS score
      FROM recent CROSS JOIN memories m INDEXED BY memories_search_filter ON m.rowid = recent.rowid
      WHERE ${where.sql}
      ORDER BY recent.rowid DESC LIMIT @limit
    `,
    ).all({
      ...params,
      match: `((content : (${ftsOr(terms.dropped)})) NOT (content : (${ftsOr(terms.kept)}))) AND (${scope})`,
      examined: FILL_EXAMINED,
      limit: query.limit - hits.length,
    }) as MemoryHit[];
    return [...hits, ...fill.sort((a, b) => b.score - a.score)];
  }

  /**
   * The words of a query to match, and the words left out of that first match: those in at least
   * half of all memories. BM25 gives them an IDF of ~0 (FTS5 clamps it to 1e-6), so they do not
   * change the order of the other matches, yet every one of their own matches would be scored.
   * (Not a stopword list: which words to search for is the caller's choice, and a word that is in
   * half the memories of this store is dropped here whatever it is.) Undefined when the text has no
   * words.
   */
  terms(text: string): { kept: string[]; dropped: string[] } | undefined {
    const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
    if (words.length === 0) return undefined;
    if (words.length === 1) return { kept: words, dropped: [] };
    // FTS5's IDF counts the rows of the index; the highest rowid bounds that count from above, so a
    // word in half of that many memories is in at least half of the index.
    const { highest } = this.#prepare('SELECT COALESCE(MAX(rowid), 0) AS highest FROM memories').get() as {
      highest: number;
    };
    const dataVersion = (this.#prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    const common = words.filter((word) => this.#isCommon(word, highest, dataVersion));
    // A query of common words only keeps them all: there is nothing better to match.
    if (common.length === words.length) return { kept: words, dropped: [] };
    return { kept: words.filter((word) => !common.includes(word)), dropped: common };
  }

  /**
   * Whether at least half of `highest` memories contain the word. Counting it walks its FTS5 doclist
   * (up to 2 ms for a word in half of 100,000 memories), so a count is remembered and reused while it
   * still decides: each change made since moves the true count by at most one, so a count far enough
   * from the half stays on its side of it. A commit by another connection (a new `dataVersion`) makes
   * every remembered count unknown.
   */
  #isCommon(word: string, highest: number, dataVersion: number): boolean {
    const words = this.#words();
    const known = words.counts.get(word);
    if (known && known.dataVersion === dataVersion) {
      const drift = words.changes - known.changes;
      // A count below its cap is the word's exact count then; one at the cap is a lower bound.
      if (known.count < known.cap && 2 * (known.count + drift) < highest) return false;
      if (2 * (known.count - drift) >= highest) return true;
    }
    const cap = Math.ceil(highest / 2);
    const { n } = this.#prepare(
      'SELECT COUNT(*) AS n FROM (SELECT 1 FROM memories_fts WHERE memories_fts MATCH ? LIMIT ?)',
    ).get(`content : ${ftsOr([word])}`, cap) as { n: number };
    // A count inside a transaction may include writes that are then rolled back, and so drift by
    // more than the changes counted since: it is not remembered.
    if (!this.#db.inTransaction) {
      if (known) words.counts.delete(word);
      else if (words.counts.size >= REMEMBERED_WORDS) {
        words.counts.delete(words.counts.keys().next().value as string);
      }
      words.counts.set(word, { count: n, cap, changes: words.changes, dataVersion });
    }
    return 2 * n >= highest;
  }

  #words(): ConnectionWords {
    let words = connections.get(this.#db);
    if (!words) {
      words = { changes: 0, counts: new Map() };
      connections.set(this.#db, words);
    }
    return words;
  }
}

/**
 * The FTS5 expression for a filter's tenant and layers: the tokens of column search_scope (see the
 * migration that makes them), hex of the UTF-8 bytes as SQLite's hex() writes them (case aside: the
 * tokenizer folds it). Within layers, only the tenant-and-layer tokens: each is as long as that
 * tenant's layer, where a layer's own token would span every tenant.
 */
function scopeMatch(filter: MemoryFilter): string {
  const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex');
  if (!filter.layers?.length) return `search_scope : "t${hex(filter.tenant)}"`;
  const tenant = hex(filter.tenant);
  return `search_scope : (${filter.layers.map((layer) => `"s${tenant}x${hex(layer)}"`).join(' OR ')})`;
}

/**
 * Words as an FTS5 OR query of quoted terms: user text must never be parsed as FTS5 syntax (a stray
 * quote or `NEAR` would be an error or a different query). Words hold only letters and digits.
 */
function ftsOr(words: readonly string[]): string {
  return words.map((word) => `"${word}"`).join(' OR ');
}
