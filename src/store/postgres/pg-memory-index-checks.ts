// Test support: compares the Postgres memory store's derived data (text statistics, search terms,
// vector codes) with what its memories say they should be, straight from the tables.
import type pg from 'pg';
import { encodeVector, toVector } from '../vector-codes.js';
import { documentTerms } from './fts5-terms.js';

/** Everything that is wrong between `memories` and its derived data, in words; empty when they agree. */
export async function pgMemoryIndexProblems(pool: pg.Pool): Promise<string[]> {
  const problems: string[] = [];
  const { rows } = await pool.query<{
    id: string;
    tenant: string;
    content: string;
    embedding: Buffer | null;
    dimensions: number | null;
    code: Buffer | null;
    lexemes: string[];
    term_counts: Record<string, number>;
    text_tokens: number;
  }>(
    `SELECT id, tenant, content, embedding, dimensions, code, tsvector_to_array(search_terms) AS lexemes,
       term_counts, text_tokens FROM memories`,
  );
  const totals = new Map<string, { documents: number; tokens: number }>();
  const terms = new Map<string, number>();
  for (const row of rows) {
    const document = documentTerms(row.content);
    // jsonb keeps its keys in its own order: compared sorted.
    const sorted = (entries: [string, number][]) =>
      JSON.stringify(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
    if (sorted([...document.counts]) !== sorted(Object.entries(row.term_counts))) {
      problems.push(`memory ${row.id}: term counts are not its content's`);
    }
    if (document.length !== row.text_tokens)
      problems.push(`memory ${row.id}: text length is not its content's`);
    if ([...row.lexemes].sort().join(' ') !== [...document.counts.keys()].sort().join(' ')) {
      problems.push(`memory ${row.id}: search terms are not its content's`);
    }
    const vector = row.embedding ? toVector(row.embedding) : null;
    if ((vector?.length ?? null) !== row.dimensions)
      problems.push(`memory ${row.id}: dimensions do not match`);
    const code = vector ? Buffer.from(encodeVector(vector)) : null;
    if (code === null ? row.code !== null : !row.code?.equals(code)) {
      problems.push(`memory ${row.id}: vector code is not its embedding's`);
    }
    const total = totals.get(row.tenant) ?? { documents: 0, tokens: 0 };
    total.documents += 1;
    total.tokens += document.length + 2;
    totals.set(row.tenant, total);
    for (const term of document.counts.keys()) {
      const key = JSON.stringify([term, row.tenant]);
      terms.set(key, (terms.get(key) ?? 0) + 1);
    }
  }
  const storedTotals = await pool.query<{ tenant: string; documents: string; tokens: string }>(
    'SELECT tenant, documents, tokens FROM memory_text_totals',
  );
  for (const row of storedTotals.rows) {
    const want = totals.get(row.tenant) ?? { documents: 0, tokens: 0 };
    if (Number(row.documents) !== want.documents || Number(row.tokens) !== want.tokens) {
      problems.push(
        `tenant ${row.tenant}: totals ${row.documents}/${row.tokens}, memories say ${want.documents}/${want.tokens}`,
      );
    }
    totals.delete(row.tenant);
  }
  for (const tenant of totals.keys()) problems.push(`tenant ${tenant}: no totals row`);
  const storedTerms = await pool.query<{ term: string; tenant: string; documents: string }>(
    'SELECT term, tenant, documents FROM memory_terms WHERE documents <> 0',
  );
  for (const row of storedTerms.rows) {
    const key = JSON.stringify([row.term, row.tenant]);
    if (Number(row.documents) !== (terms.get(key) ?? 0)) {
      problems.push(`term ${key}: ${row.documents} memories counted, ${terms.get(key) ?? 0} hold it`);
    }
    terms.delete(key);
  }
  for (const key of terms.keys()) problems.push(`term ${key}: not counted`);
  return problems;
}
