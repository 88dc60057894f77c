import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/** The URL without its password, for messages and logs. */
export function redactedPostgresUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '****';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

/** `store.unreachable`: the database server could not be reached or refused the connection. */
export function unreachable(url: string, cause: unknown): AgentdError {
  // A refused connection to a name with several addresses is an AggregateError with no message.
  const first = cause instanceof AggregateError ? (cause.errors[0] as unknown) : cause;
  const reason =
    first instanceof Error
      ? first.message || (first as NodeJS.ErrnoException).code || first.name
      : String(first);
  return new AgentdError({
    code: 'store.unreachable',
    message: `cannot connect to the Postgres store at ${redactedPostgresUrl(url)}: ${reason}`,
    cause,
  });
}
