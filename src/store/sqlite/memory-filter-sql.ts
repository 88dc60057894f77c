import type { MemoryFilter } from '../memory-store.js';

/**
 * The WHERE clause (on alias `m`) and parameters of a filter. `candidates`: the rows come from a
 * search index joined by rowid, so the filter must not make SQLite scan the scope index instead.
 */
export function filterSql(
  filter: MemoryFilter,
  { candidates = false }: { candidates?: boolean } = {},
): { sql: string; params: Record<string, unknown> } {
  const clauses = [candidates ? '+m.tenant = @tenant' : 'm.tenant = @tenant'];
  const params: Record<string, unknown> = { tenant: filter.tenant };
  if (filter.layers?.length) {
    clauses.push(
      `${candidates ? '+' : ''}m.layer IN (${filter.layers.map((_, i) => `@layer${i}`).join(', ')})`,
    );
    filter.layers.forEach((layer, i) => (params[`layer${i}`] = layer));
  }
  for (const [key, column] of [
    ['team', 'team'],
    ['agent', 'agent'],
    ['taskId', 'task_id'],
  ] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    if (value === null) clauses.push(`m.${column} IS NULL`);
    else {
      clauses.push(`m.${column} = @${key}`);
      params[key] = value;
    }
  }
  (filter.tags ?? []).forEach((tag, i) => {
    clauses.push(`EXISTS (SELECT 1 FROM json_each(m.tags) WHERE json_each.value = @tag${i})`);
    params[`tag${i}`] = tag;
  });
  if (filter.createdAfter !== undefined) {
    clauses.push('m.created_at >= @createdAfter');
    params['createdAfter'] = filter.createdAfter;
  }
  if (filter.createdBefore !== undefined) {
    clauses.push('m.created_at < @createdBefore');
    params['createdBefore'] = filter.createdBefore;
  }
  if (!filter.includeSuperseded) clauses.push('m.valid_to IS NULL');
  return { sql: clauses.join(' AND '), params };
}
