import type pg from 'pg';

/**
 * A named statement: pg prepares it on a connection at its first use and reuses the plan after, so a
 * hot query (a journal write, an event append) is parsed and planned once per connection. The name
 * must be unique per text across the process.
 */
export function namedStatement(
  name: string,
  text: string,
): (values: readonly unknown[]) => pg.QueryConfig<unknown[]> {
  const prefixed = `agentd_${name}`;
  return (values) => ({ name: prefixed, text, values: [...values] });
}

/**
 * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it
 * throws. A connection whose rollback failed is closed rather than handed back to the pool.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  begin = 'BEGIN',
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query(begin);
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // The connection is unusable (it died mid-transaction): the server rolled back on its own.
        broken = true;
      }
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

// Postgres refuses U+0000 in text and in jsonb strings (SQLite keeps it). A hostile prompt or model
// output holding one would fail its write, so it is stored as U+FFFD instead (ADR 0080). In JSON text
// from JSON.stringify a NUL is always the escape \u0000, and a literal backslash is always doubled:
// an escape preceded by an even number of backslashes is a NUL, in a key or in a value.
const NUL_ESCAPE = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** A value for a jsonb parameter: its JSON text (pg would turn a JS array into a Postgres array). */
export function jsonParam(value: unknown): string {
  const text = JSON.stringify(value);
  return text.includes('\\u0000') ? text.replace(NUL_ESCAPE, '$1\\ufffd') : text;
}

/** A nullable jsonb parameter: SQL NULL for null, the JSON text otherwise. */
export function nullableJsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : jsonParam(value);
}

/** A text parameter from outside (a prompt, an output): U+0000, which Postgres refuses, becomes U+FFFD. */
export function textParam<T extends string | null | undefined>(value: T): T {
  return (
    typeof value === 'string' && value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value
  ) as T;
}
