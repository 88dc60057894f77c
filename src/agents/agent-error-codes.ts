import { declareErrorCodes } from '../core/errors.js';

/** The error codes of agents, teams and their spec files, with their categories (see ADR 0017). */
export const AGENT_ERROR_CODES = declareErrorCodes({
  'agent.invalid': 'invalid',
  'agent.not_found': 'invalid',
  'agent.invalid_output': 'upstream',
  'agent.max_steps': 'invalid',
  'agent.unknown_delegate': 'invalid',
  'agent.delegation_unavailable': 'invalid',
  'agent.remote_failed': 'upstream',
  'agent.remote_input_required': 'upstream',
  'agent.remote_unavailable': 'invalid',
  'agent.remote_in_hybrid': 'invalid',
  'agent.gateway_unavailable': 'invalid',
  'agent.kind_package_missing': 'invalid',
  'agent.module_invalid': 'invalid',
  'agent.path_outside_project': 'forbidden',
  'agent.command_not_allowed': 'forbidden',
  'agent.foreign_failed': 'upstream',
  'agent.process_failed': 'upstream',
  'agent.process_timeout': 'upstream',
  'team.invalid': 'invalid',
  'team.not_found': 'invalid',
  /** A foreign framework's files (`agentd import crewai`) that cannot be read or do not fit together. */
  'import.invalid': 'invalid',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    agents: typeof AGENT_ERROR_CODES;
  }
}
