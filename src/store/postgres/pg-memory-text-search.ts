import type pg from 'pg';
import type { MemoryFilter, MemoryHit } from '../memory-store.js';
import { fts5Terms } from './fts5-terms.js';
import { memoryFilterSql, prepared, SqlParams } from './pg-memory-filter.js';

// How many of the most recent matches of dropped words a text search looks at to fill up its hits
// (as the SQLite store).
const FILL_EXAMINED = 1_000;

/** A client or pool: anything that runs a query. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

// BM25 exactly as FTS5's bm25() computes it (fts5_aux.c: k1 1.2, b 0.75, IDF clamped to 1e-6, the
// document length counting every column's tokens), in float8 in the same order of operations, so
// that the scores equal SQLite's. The collection statistics come from memory_text_totals and
// memory_terms (every tenant, as FTS5's are), the term frequencies from each row's term_counts.
const SCORE = `(
  SELECT sum(q.idf * ((q.tf * (1.2::float8 + 1.0::float8))
    / (q.tf + 1.2::float8 * (1::float8 - 0.75::float8 + 0.75::float8 * (m.text_tokens + 2)::float8 / p.avgdl))))
  FROM (
    SELECT s.idf, COALESCE((m.term_counts ->> s.term)::float8, 0::float8) AS tf
    FROM unnest(p.terms, p.idfs) WITH ORDINALITY AS s(term, idf, ord) ORDER BY s.ord
  ) AS q
)`;

/** The phrases of a query with their IDFs and the average document length, for {@link SCORE}. */
function phrasesSql(params: SqlParams, terms: readonly string[], stats: CollectionStatistics): string {
  const hits = terms.map((term) => stats.hits.get(term) ?? 0);
  const documents = params.add(stats.documents);
  return `
    SELECT array_agg(t.term ORDER BY t.ord) AS terms,
      array_agg(CASE WHEN x.idf <= 0 THEN 1e-6::float8 ELSE x.idf END ORDER BY t.ord) AS idfs,
      ${params.add(stats.tokens)}::bigint::float8 / ${documents}::bigint::float8 AS avgdl
    FROM unnest(${params.add(terms)}::text[], ${params.add(hits)}::bigint[]) WITH ORDINALITY AS t(term, hits, ord),
      LATERAL (SELECT ln(((${documents}::bigint - t.hits)::float8 + 0.5::float8) / (t.hits::float8 + 0.5::float8)) AS idf) AS x
  `;
}

/** Memories and tokens in the whole index, and per term how many memories hold it. */
interface CollectionStatistics {
  documents: number;
  tokens: number;
  hits: Map<string, number>;
}

/**
 * Full-text search over the memories' FTS5-equivalent terms (a GIN index on `search_terms`), ranked
 * by FTS5's BM25 and with the SQLite store's handling of words in at least half of all memories:
 * matched only to fill up the hits (see {@link searchMemoryText}).
 */
export async function searchMemoryText(
  db: Queryable,
  query: { text: string; filter: MemoryFilter; limit: number },
): Promise<MemoryHit[]> {
  if (query.limit <= 0) return [];
  const words = [...new Set(query.text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
  // Each word is one FTS5 phrase (a quoted word): its first term (a word of letters and digits folds
  // to one token).
  const phrases = words.flatMap((word) => fts5Terms(word).slice(0, 1));
  if (phrases.length === 0) return [];
  const stats = await collectionStatistics(db, phrases);
  if (stats.documents === 0) return [];
  // Words in at least half of all memories (SQLite bounds that count by its highest rowid; the
  // count is kept here) are left out of the first match: BM25 gives them an IDF of ~0 (see
  // sqlite-memory-text-search.ts). A single word, or only such words, are all kept.
  const common = (term: string) => 2 * (stats.hits.get(term) ?? 0) >= stats.documents;
  const dropped = phrases.length > 1 ? phrases.filter(common) : [];
  const allCommon = dropped.length === phrases.length;
  const kept = allCommon || dropped.length === 0 ? phrases : phrases.filter((term) => !common(term));
  const lost = allCommon ? [] : dropped;

  const params = new SqlParams();
  const phrasesCte = phrasesSql(params, kept, stats);
  const where = memoryFilterSql(query.filter, params);
  const { rows: hits } = await db.query<{ id: string; score: number }>(
    prepared(
      `
    WITH p AS (${phrasesCte})
    SELECT m.id, ${SCORE} AS score
    FROM p, memories m
    WHERE m.search_terms @@ ${params.add(tsquery(kept))}::tsquery AND ${where}
    ORDER BY score DESC, m.seq LIMIT ${params.add(query.limit)}
  `,
      params.values,
    ),
  );
  if (hits.length >= query.limit || lost.length === 0) return hits;
  // Too few memories match the kept words: fill up with those matching only dropped words, among the
  // FILL_EXAMINED most recent of the tenant's layers (their scores are ~0 and their order close to
  // arbitrary). FTS5 scores them with every phrase of that query: the dropped words, then the kept.
  const fill = new SqlParams();
  const fillPhrases = phrasesSql(fill, [...lost, ...kept], stats);
  const scope = memoryFilterSql(
    { tenant: query.filter.tenant, layers: query.filter.layers, includeSuperseded: true },
    fill,
  );
  const fillWhere = memoryFilterSql(query.filter, fill);
  const { rows: filled } = await db.query<{ id: string; score: number }>(
    prepared(
      `
    WITH p AS (${fillPhrases}),
    recent AS (
      SELECT m.seq FROM memories m
      WHERE m.search_terms @@ ${fill.add(`(${tsquery(lost)}) & !(${tsquery(kept)})`)}::tsquery AND ${scope}
      ORDER BY m.seq DESC LIMIT ${fill.add(FILL_EXAMINED)}
    )
    SELECT m.id, ${SCORE} AS score
    FROM p, recent JOIN memories m ON m.seq = recent.seq
    WHERE ${fillWhere}
    ORDER BY m.seq DESC LIMIT ${fill.add(query.limit - hits.length)}
  `,
      fill.values,
    ),
  );
  return [...hits, ...filled.sort((a, b) => b.score - a.score)];
}

async function collectionStatistics(db: Queryable, terms: readonly string[]): Promise<CollectionStatistics> {
  const { rows } = await db.query<{ documents: string; tokens: string; hits: Record<string, string> }>(
    prepared(
      `
    SELECT
      (SELECT COALESCE(sum(documents), 0) FROM memory_text_totals) AS documents,
      (SELECT COALESCE(sum(tokens), 0) FROM memory_text_totals) AS tokens,
      (SELECT COALESCE(jsonb_object_agg(term, n), '{}'::jsonb)
        FROM (SELECT term, sum(documents)::text AS n FROM memory_terms WHERE term = ANY($1::text[]) GROUP BY term) AS t
      ) AS hits
  `,
      [[...new Set(terms)]],
    ),
  );
  const row = rows[0] as { documents: string; tokens: string; hits: Record<string, string> };
  return {
    documents: Number(row.documents),
    tokens: Number(row.tokens),
    hits: new Map(Object.entries(row.hits).map(([term, n]) => [term, Number(n)])),
  };
}

/** Terms as a tsquery OR of quoted lexemes (taken as they are: no parser or dictionary runs on them). */
function tsquery(terms: readonly string[]): string {
  return [...new Set(terms)]
    .map((term) => `'${term.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`)
    .join(' | ');
}
