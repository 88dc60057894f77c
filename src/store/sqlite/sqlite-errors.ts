import Database from 'better-sqlite3';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/** Whether `error` is SQLite refusing a row because its primary key (or a unique key) is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE')
  );
}

/** Whether `error` is SQLite refusing a row whose foreign key points at nothing. */
export function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** The `store.conflict` error every store throws for a duplicate key, keeping SQLite's error as cause. */
export function storeConflict(message: string, cause: unknown): AgentdError {
  return new AgentdError({ code: 'store.conflict', message, cause });
}
