import type Database from 'better-sqlite3';
import type { MemoryFilter, MemoryHit } from '../memory-store.js';
import { bm25Idf, bm25Term, Fts5Stemmer, readFts5Totals, readVarints, unicode61Tokens } from './fts5-bm25.js';
import type { Fts5Totals } from './fts5-bm25.js';
import { filterSql } from './memory-filter-sql.js';
import { statementCache } from './statement-cache.js';

// How many of the most recent matches of dropped words a text search looks at to fill up its hits.
const FILL_EXAMINED = 1_000;
// How many words' document counts a connection remembers (the oldest counted is forgotten first).
const REMEMBERED_WORDS = 16_384;
// A word in at most this many memories is read whole (forwards, every tenant: cheap per row), so
// every memory with a word that rare is a candidate. The commoner words are read together, newest
// first, COMMON_POSTINGS rows of any of them in all. Not within the scope: FTS5 reads an intersection
// with the scope token backwards by walking the word's doclist, all of it when few of its matches are
// in scope (35 ms for two words at 100,000 memories, against 2 ms for their newest 600 rows); the
// filter checks the scope afterwards. This bounds a search's cost whatever the size of the store.
const WHOLE_AT_MOST = 1_000;
// Up to this many memories (of every tenant), FTS5's bm25() over every match costs less than the
// bounded search (its doclists are short; 0.7 against 1.9 ms of CPU for a five-word query at 700
// memories), and is exact: it is used instead.
const EXACT_UP_TO = 4_000;
const COMMON_POSTINGS = 600;
// Candidates are scored exactly from their content in rounds of this many, best bound first, and
// at most RESCORED_AT_MOST in all (a bound on the rows read whatever the bounds say).
const RESCORED_PER_ROUND = 64;
const RESCORED_AT_MOST = 256;
// Bounds within this of the last score kept stop the rescoring too: words in half the memories or
// more add 1e-6 × (k1 + 1) at most each (FTS5's IDF floor), which orders nothing that matters.
const NEGLIGIBLE = 1e-4;
// A remembered document count is used for IDF while the changes since are at most this share of
// it (a 5% error in a count moves its IDF by less than 0.05).
const COUNT_DRIFT = 0.05;

/** A word's document count as counted: at which own change count and data_version. */
interface WordCount {
  /** How many memories (of every tenant, as FTS5's IDF counts) contain the word. */
  count: number;
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
 * Full-text search over the FTS5 index `memories_fts` within a filter, ranked by BM25 as FTS5's bm25() computes it, but without bm25(): it reads the whole doclist of
 * every phrase of a query for its IDF (the tenant's scope token included) and scores every match, so
 * a search cost grew with the store. Here the IDF comes from document counts kept per connection
 * (see {@link MemoryTextSearch.documents}) and FTS5's own row and token totals, and only a bounded
 * candidate set is read and scored: every match of the rarer words, and the newest matches of the
 * commoner ones (ADR 0089).
 */
export class MemoryTextSearch {
  readonly #db: Database.Database;
  readonly #prepare: (sql: string) => Database.Statement;
  readonly #stemmer: Fts5Stemmer;
  readonly #exactUpTo: number;

  /** `exactUpTo`: the store size up to which bm25() over every match is used (tests lower it). */
  constructor(db: Database.Database, { exactUpTo = EXACT_UP_TO }: { exactUpTo?: number } = {}) {
    this.#db = db;
    this.#exactUpTo = exactUpTo;
    this.#prepare = statementCache(db);
    this.#stemmer = stemmerOf(db);
  }

  /** Records that a memory was added, deleted or given new content through this connection. */
  noteChange(): void {
    this.#words().changes++;
  }

  /**
   * The best `limit` matches of the text's words within the filter, best first, scored as FTS5's
   * bm25() scores them (its sign turned so that higher is better). The candidates are bounded: every
   * match of each kept word in at most WHOLE_AT_MOST memories, and the newest matches of the
   * commoner ones (see #candidates). A store of up to WHOLE_AT_MOST memories is
   * searched exactly; in a bigger one, a memory that matches only common words and is older than their
   * newest matches may be missed — its score is low (a common word's IDF is) unless it has several of
   * them. The candidates are then scored exactly from their content, best bound first (see #best).
   */
  search(query: { text: string; filter: MemoryFilter; limit: number }): MemoryHit[] {
    if (query.limit <= 0) return [];
    const terms = this.terms(query.text);
    if (!terms) return [];
    const totals = readFts5Totals(this.#db, 'memories_fts');
    if (totals.rows === 0) return [];
    if (totals.rows <= this.#exactUpTo) return this.searchExact(query);
    const kept = this.#phrases(terms.kept, totals);
    const hits = this.#best(this.#candidates(kept), kept, query, totals);
    if (hits.length >= query.limit || terms.dropped.length === 0) return hits;
    // Too few memories match the kept words: fill up with those matching only dropped words. Their
    // BM25 scores are tiny (a word in half the memories has an IDF of ~0), so which of them come
    // first is close to arbitrary: only the FILL_EXAMINED most recent matches (of every scope, see
    // COMMON_POSTINGS) are looked at, so a filter that passes none of them costs no more than that.
    const dropped = this.#phrases(terms.dropped, totals);
    const recent = this.#prepare(
      'SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?',
    )
      .pluck()
      .all(
        `(content : (${ftsOr(terms.dropped)})) NOT (content : (${ftsOr(terms.kept)}))`,
        FILL_EXAMINED,
      ) as number[];
    const fill = this.#best(
      new Map(recent.map((rowid) => [rowid, []])),
      dropped,
      { ...query, limit: query.limit - hits.length },
      totals,
      { newest: true },
    );
    return [...hits, ...fill];
  }

  /**
   * The same search with FTS5's bm25() over every match (the kept words', then the fill), as this
   * class searched before it bounded its work: for tests and benchmarks that compare the two.
   */
  searchExact(query: { text: string; filter: MemoryFilter; limit: number }): MemoryHit[] {
    if (query.limit <= 0) return [];
    const terms = this.terms(query.text);
    if (!terms) return [];
    const where = filterSql(query.filter);
    const params = { ...where.params, limit: query.limit };
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

  /** The words as phrases: stem, IDF, and document count; rarest first. */
  #phrases(words: readonly string[], totals: Fts5Totals): Phrase[] {
    const stems = this.#stemmer.stems(words);
    return words
      .map((word, i) => {
        const documents = this.documents(word);
        return { word, stem: stems[i] as string, documents, idf: bm25Idf(totals.rows, documents) };
      })
      .sort((a, b) => a.documents - b.documents);
  }

  /**
   * Candidate rowids, each with the phrases it may have (see {@link search}): every match of each rare
   * word, and the newest COMMON_POSTINGS matches of any of the common ones; the filter checks the scope.
   */
  #candidates(phrases: readonly Phrase[]): Map<number, Phrase[]> {
    const found = new Map<number, Phrase[]>();
    const add = (rowids: readonly number[], by: readonly Phrase[]) => {
      for (const rowid of rowids) found.set(rowid, [...(found.get(rowid) ?? []), ...by]);
    };
    const rare = phrases.filter((phrase) => phrase.documents <= WHOLE_AT_MOST);
    const common = phrases.filter((phrase) => phrase.documents > WHOLE_AT_MOST);
    const match = this.#prepare('SELECT rowid FROM memories_fts WHERE memories_fts MATCH ?').pluck();
    for (const phrase of rare) add(match.all(`content : ${ftsOr([phrase.word])}`) as number[], [phrase]);
    if (common.length > 0) {
      const newest = this.#prepare(
        'SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?',
      ).pluck();
      // Which of the common words a row has is not known here: each counts toward its bound.
      const rowids = newest.all(`content : (${ftsOr(common.map((phrase) => phrase.word))})`, COMMON_POSTINGS);
      add(rowids as number[], common);
    }
    return found;
  }

  /**
   * The best `limit` candidates that pass the filter, scored exactly from their content (every
   * phrase counted), in order of an upper bound of their score (each phrase they were found by
   * occurring as often as the row has tokens), until the `limit`-th best exact score is at least the
   * next bound — so the order is exact among the candidates — or RESCORED_AT_MOST were scored.
   */
  #best(
    candidates: ReadonlyMap<number, readonly Phrase[]>,
    phrases: readonly Phrase[],
    query: { filter: MemoryFilter; limit: number },
    totals: Fts5Totals,
    /** Score the newest `limit` that pass, not the best bounds (filling up with dropped words). */
    { newest = false }: { newest?: boolean } = {},
  ): MemoryHit[] {
    if (candidates.size === 0 || query.limit <= 0) return [];
    const where = filterSql(query.filter);
    const passing = (
      this.#prepare(
        `
      SELECT m.rowid AS rowid, d.sz AS size
      FROM json_each(@rowids) j
        CROSS JOIN memories m INDEXED BY memories_search_filter ON m.rowid = j.value
        CROSS JOIN memories_fts_docsize d ON d.id = m.rowid
      WHERE ${where.sql}
    `,
      ).all({ ...where.params, rowids: JSON.stringify([...candidates.keys()]) }) as {
        rowid: number;
        size: Buffer;
      }[]
    ).map((row) => {
      const [content = 0, ...rest] = readVarints(row.size);
      const length = content + sumOf(rest);
      const bound = (candidates.get(row.rowid) ?? []).reduce(
        (sum, phrase) => sum + bm25Term(phrase.idf, Math.max(1, content), length, totals.averageLength),
        0,
      );
      return { rowid: row.rowid, length, bound };
    });
    const order = newest
      ? passing.sort((a, b) => b.rowid - a.rowid).slice(0, query.limit)
      : passing.sort((a, b) => b.bound - a.bound || b.rowid - a.rowid);
    const byStem = new Map<string, Phrase[]>();
    for (const phrase of phrases) byStem.set(phrase.stem, [...(byStem.get(phrase.stem) ?? []), phrase]);
    // Stems keep the first two letters of a word (Porter removes and rewrites endings only, and
    // leaves words of two letters alone): only tokens that start like a phrase are stemmed.
    const starts = new Set([...byStem.keys()].map((stem) => stem.slice(0, 2)));
    const read = this.#prepare(
      `SELECT m.rowid AS rowid, m.id AS id, m.content AS content
       FROM json_each(?) j CROSS JOIN memories m ON m.rowid = j.value`,
    );
    const hits: { rowid: number; id: string; score: number }[] = [];
    for (let at = 0; at < order.length && at < RESCORED_AT_MOST; at += RESCORED_PER_ROUND) {
      const round = order.slice(at, at + RESCORED_PER_ROUND);
      const length = new Map(round.map((row) => [row.rowid, row.length]));
      const rows = read.all(JSON.stringify(round.map((row) => row.rowid))) as {
        rowid: number;
        id: string;
        content: string;
      }[];
      for (const row of rows) {
        const tokens = unicode61Tokens(row.content).filter((token) => starts.has(token.slice(0, 2)));
        const tf = new Map<Phrase, number>();
        for (const stem of this.#stemmer.stems(tokens)) {
          for (const phrase of byStem.get(stem) ?? []) tf.set(phrase, (tf.get(phrase) ?? 0) + 1);
        }
        let score = 0;
        for (const [phrase, count] of tf) {
          score += bm25Term(phrase.idf, count, length.get(row.rowid) ?? 0, totals.averageLength);
        }
        hits.push({ rowid: row.rowid, id: row.id, score });
      }
      // Equal scores: the newer first.
      hits.sort((a, b) => b.score - a.score || b.rowid - a.rowid);
      const next = order[at + RESCORED_PER_ROUND];
      const kth = hits[query.limit - 1];
      if (!next || (kth && kth.score + NEGLIGIBLE >= next.bound)) break;
    }
    return hits.slice(0, query.limit).map(({ id, score }) => ({ id, score }));
  }

  /**
   * The words of a query to match, and the words left out of that first match: those in at least
   * half of all memories. BM25 gives them an IDF of ~0 (FTS5 clamps it to 1e-6), so they do not
   * change the order of the other matches, yet every one of their own matches would be a candidate.
   * (Not a stopword list: which words to search for is the caller's choice, and a word that is in
   * half the memories of this store is dropped here whatever it is.) Undefined when the text has no
   * words.
   */
  terms(text: string): { kept: string[]; dropped: string[] } | undefined {
    const words = [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
    if (words.length === 0) return undefined;
    if (words.length === 1) return { kept: words, dropped: [] };
    const { rows } = readFts5Totals(this.#db, 'memories_fts');
    const common = words.filter((word) => 2 * this.documents(word, rows) >= rows);
    // A query of common words only keeps them all: there is nothing better to match.
    if (common.length === words.length) return { kept: words, dropped: [] };
    return { kept: words.filter((word) => !common.includes(word)), dropped: common };
  }

  /**
   * How many memories (of every tenant, as FTS5's IDF counts them) contain the word. Counting walks
   * its FTS5 doclist (up to a few ms for a word in most of 100,000 memories), so a count is
   * remembered per connection and reused while the changes made since (each moves the true count by
   * at most one) are a small share of it; with `rows`, also while they cannot move it across half of
   * `rows` (whether the word is common, see {@link terms}), so that decision is always the one a
   * fresh count gives. A commit by another connection (a new data_version) makes every remembered
   * count unknown; a count made inside a transaction (which may be rolled back) is not remembered.
   */
  documents(word: string, rows?: number): number {
    const words = this.#words();
    const dataVersion = (this.#prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    const known = words.counts.get(word);
    if (known && known.dataVersion === dataVersion) {
      const drift = words.changes - known.changes;
      const close = drift <= COUNT_DRIFT * known.count;
      const sideKnown =
        rows === undefined || 2 * (known.count + drift) < rows || 2 * (known.count - drift) >= rows;
      if (drift === 0 || (close && sideKnown)) return known.count;
    }
    const { n } = this.#prepare('SELECT COUNT(*) AS n FROM memories_fts WHERE memories_fts MATCH ?').get(
      `content : ${ftsOr([word])}`,
    ) as { n: number };
    if (!this.#db.inTransaction) {
      if (known) words.counts.delete(word);
      else if (words.counts.size >= REMEMBERED_WORDS) {
        words.counts.delete(words.counts.keys().next().value as string);
      }
      words.counts.set(word, { count: n, changes: words.changes, dataVersion });
    }
    return n;
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

/** A word of a query as BM25 scores it. */
interface Phrase {
  word: string;
  stem: string;
  /** Memories containing it (every tenant). */
  documents: number;
  idf: number;
}

// One stemmer per connection: its temp table and remembered stems serve every store on it.
const stemmers = new WeakMap<Database.Database, Fts5Stemmer>();
function stemmerOf(db: Database.Database): Fts5Stemmer {
  let stemmer = stemmers.get(db);
  if (!stemmer) {
    stemmer = new Fts5Stemmer(db);
    stemmers.set(db, stemmer);
  }
  return stemmer;
}

function sumOf(values: readonly number[]): number {
  return values.reduce((sum, n) => sum + n, 0);
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
