import { expect } from 'vitest';
import { AgentdError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';

/** Asserts that `promise` rejects with an AgentdError carrying `code`; returns the error for further checks. */
export async function expectAgentdError(promise: Promise<unknown>, code: ErrorCode): Promise<AgentdError> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `expected a rejection with ${code}`).toBeInstanceOf(AgentdError);
  const error = thrown as AgentdError;
  expect(error.code).toBe(code);
  return error;
}
