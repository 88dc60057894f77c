import type Database from 'better-sqlite3';

/**
 * Prepares statements once and reuses them, keyed by their SQL text (filters produce a handful of
 * distinct shapes, so the cache stays small).
 */
export function statementCache(db: Database.Database): (sql: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}
