import { prepared, SqlParams } from './pg-memory-filter.js';
import type { Queryable } from './pg-memory-text-search.js';

/** The codes of one (tenant, layer, dimensions): what a vector search reads and caches as a unit. */
export interface VectorScope {
  tenant: string;
  layer: string;
  dimensions: number;
}

/**
 * What a write changes in the store's derived counts, written in one go as it ends: the text
 * statistics of BM25 (memory_text_totals, memory_terms) and the version of every vector scope whose
 * codes changed (memory_vector_versions, which tells a cached scope it is stale).
 */
export class StatisticsChanges {
  readonly #vectorScopes = new Map<string, VectorScope>();
  readonly #tenants = new Map<string, { documents: number; tokens: number; terms: Map<string, number> }>();

  /** Counts a memory's content in (`sign` 1) or out (−1) of the statistics. */
  change(
    tenant: string,
    document: { counts: ReadonlyMap<string, number>; length: number },
    sign: 1 | -1,
  ): void {
    let entry = this.#tenants.get(tenant);
    if (!entry) {
      entry = { documents: 0, tokens: 0, terms: new Map() };
      this.#tenants.set(tenant, entry);
    }
    entry.documents += sign;
    // FTS5 counts the two tokens of its scope column in every document's length.
    entry.tokens += sign * (document.length + 2);
    for (const term of document.counts.keys()) entry.terms.set(term, (entry.terms.get(term) ?? 0) + sign);
  }

  /** Records that a scope's codes changed (a code added, removed or replaced). */
  vectorScopeChanged(scope: VectorScope): void {
    this.#vectorScopes.set(JSON.stringify([scope.tenant, scope.layer, scope.dimensions]), scope);
  }

  /**
   * Common table expressions that add the changes to the stored statistics (none when nothing
   * changed), to run in the statement or transaction that made them. Rows are locked in one order
   * (tenants, then terms by term and tenant) so that concurrent writers cannot deadlock on them. A
   * term's row stays when its count reaches zero (it counts as absent).
   */
  sql(params: SqlParams): string[] {
    const ctes: string[] = [];
    const tenants = [...this.#tenants].filter(([, entry]) => entry.documents !== 0 || entry.tokens !== 0);
    if (tenants.length > 0) {
      ctes.push(`text_totals AS (
        INSERT INTO memory_text_totals AS t (tenant, documents, tokens)
        SELECT * FROM unnest(${params.add(tenants.map(([tenant]) => tenant))}::text[],
          ${params.add(tenants.map(([, e]) => e.documents))}::bigint[], ${params.add(tenants.map(([, e]) => e.tokens))}::bigint[])
        ORDER BY 1
        ON CONFLICT (tenant) DO UPDATE
          SET documents = t.documents + excluded.documents, tokens = t.tokens + excluded.tokens
      )`);
    }
    const terms: string[] = [];
    const owners: string[] = [];
    const deltas: number[] = [];
    for (const [tenant, entry] of this.#tenants) {
      for (const [term, delta] of entry.terms) {
        if (delta === 0) continue;
        terms.push(term);
        owners.push(tenant);
        deltas.push(delta);
      }
    }
    if (terms.length > 0) {
      ctes.push(`text_terms AS (
        INSERT INTO memory_terms AS t (term, tenant, documents)
        SELECT * FROM unnest(${params.add(terms)}::text[], ${params.add(owners)}::text[], ${params.add(deltas)}::bigint[])
        ORDER BY 1, 2
        ON CONFLICT (term, tenant) DO UPDATE SET documents = t.documents + excluded.documents
      )`);
    }
    const scopes = [...this.#vectorScopes.values()];
    if (scopes.length > 0) {
      ctes.push(`vector_versions AS (
        INSERT INTO memory_vector_versions AS v (tenant, layer, dimensions, version)
        SELECT tenant, layer, dimensions, 1
        FROM unnest(${params.add(scopes.map((s) => s.tenant))}::text[], ${params.add(scopes.map((s) => s.layer))}::text[],
          ${params.add(scopes.map((s) => s.dimensions))}::int[]) AS s(tenant, layer, dimensions)
        ORDER BY 1, 2, 3
        ON CONFLICT (tenant, layer, dimensions) DO UPDATE SET version = v.version + 1
      )`);
    }
    this.#tenants.clear();
    this.#vectorScopes.clear();
    return ctes;
  }

  /** Writes the changes in one statement (last in a transaction, so its rows stay locked briefly). */
  async flush(db: Queryable): Promise<void> {
    const params = new SqlParams();
    const ctes = this.sql(params);
    if (ctes.length > 0) await db.query(prepared(`WITH ${ctes.join(', ')} SELECT 1`, params.values));
  }
}
