import { createHash } from 'node:crypto';
import type { MemoryFilter } from '../memory-store.js';

/** The values of a statement's positional parameters, added as the SQL that uses them is written. */
export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder (`$n`). */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The WHERE clause (on alias `m`) of a memory filter, with its values added to `params`: the same
 * conditions as the SQLite store's filterSql (every tag listed on the memory, createdAfter inclusive,
 * createdBefore exclusive, superseded memories left out unless asked for).
 */
export function memoryFilterSql(filter: MemoryFilter, params: SqlParams): string {
  const clauses = [`m.tenant = ${params.add(filter.tenant)}`];
  if (filter.layers?.length) clauses.push(`m.layer = ANY(${params.add(filter.layers)}::text[])`);
  for (const [key, column] of [
    ['team', 'team'],
    ['agent', 'agent'],
    ['taskId', 'task_id'],
  ] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    clauses.push(value === null ? `m.${column} IS NULL` : `m.${column} = ${params.add(value)}`);
  }
  if (filter.tags?.length) clauses.push(`m.tags @> ${params.add(JSON.stringify(filter.tags))}::jsonb`);
  if (filter.createdAfter !== undefined)
    clauses.push(`m.created_at >= ${params.add(filter.createdAfter)}::float8`);
  if (filter.createdBefore !== undefined)
    clauses.push(`m.created_at < ${params.add(filter.createdBefore)}::float8`);
  if (!filter.includeSuperseded) clauses.push('m.valid_to IS NULL');
  return clauses.join(' AND ');
}

/**
 * A query as a named (prepared) statement: each connection parses and plans its text once. The name
 * is the text's digest, so any number of callers share it.
 */
export function prepared(text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name: `memory_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text, values };
}
