import pg from 'pg';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/** Options of {@link createPgPool}. */
export interface PgPoolOptions {
  /** `postgres://user@host:port/database`. */
  url: string;
  /** The schema every connection works in (its `search_path`); default: the server's (`public`). */
  schema?: string;
  /** Connections at most (default 10): a process runs a few dozen tasks at once, each waiting on models. */
  max?: number;
  /** Called when an idle connection fails (a server restart); the pool drops it and opens another. */
  onIdleError?: (error: Error) => void;
}

const INT8 = 20;
const NUMERIC = 1700;

/**
 * Every row time is a bigint of ms and every counter fits a double, as in SQLite: read int8 (and the
 * numeric of a SUM over int8) as a JS number rather than pg's default string.
 */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Whether `name` is a plain lowercase SQL identifier (what agentd accepts as a schema name). */
export function isPlainIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/** A `pg.Pool` configured as the Postgres stores expect (number parsing, schema, size, error handling). */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  if (options.schema !== undefined && !isPlainIdentifier(options.schema)) {
    throw new AgentdError({
      code: 'store.invalid_schema',
      message: `schema '${options.schema}' is not a plain identifier (lowercase letters, digits, _)`,
    });
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: 'agentd',
    types,
    // Pinned per connection, so every statement (and every prepared one) resolves tables in it.
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle connection's error (the server restarting) would crash the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}
