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

/** A value for a jsonb parameter: its JSON text (pg would turn a JS array into a Postgres array). */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value);
}

/** A nullable jsonb parameter: SQL NULL for null, the JSON text otherwise. */
export function nullableJsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
