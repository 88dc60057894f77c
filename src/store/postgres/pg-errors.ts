import { DatabaseError } from 'pg';
import { AgentdError } from '../../core/errors.js';
import '../store-error-codes.js';

/** Whether `error` is Postgres refusing a row because a primary or unique key is taken. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === '23505';
}

/** Whether `error` is Postgres refusing a row whose foreign key points at nothing. */
export function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === '23503';
}

/** The `store.conflict` error every store throws for a duplicate key, keeping Postgres's error as cause. */
export function storeConflict(message: string, cause: unknown): AgentdError {
  return new AgentdError({ code: 'store.conflict', message, cause });
}
