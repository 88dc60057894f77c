import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';

/** The error every topology throws for a team of the wrong shape: `topology.invalid_team`. */
export function invalidTeam(topology: string, message: string): AgentdError {
  return new AgentdError({
    code: 'topology.invalid_team',
    message: `${topology}: ${message}`,
    details: { topology },
  });
}
