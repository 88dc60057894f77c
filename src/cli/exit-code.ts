import type { AgentdError } from '../core/errors.js';

/**
 * The exit code for an error a command threw: 2 when the caller can fix it (bad usage, input or
 * config: a category whose fault is the user's), 1 when agentd or a service it depends on failed.
 */
export function exitCodeOf(error: AgentdError): 1 | 2 {
  return error.fault === 'user' ? 2 : 1;
}
