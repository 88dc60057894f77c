import { declareErrorCodes } from '../core/errors.js';

/** The error codes of topologies, with their categories (see ADR 0017). */
export const TOPOLOGY_ERROR_CODES = declareErrorCodes({
  'topology.unknown': 'invalid',
  'topology.invalid_team': 'invalid',
  'topology.dependency_failed': 'invalid',
  'topology.node_failed': 'upstream',
  'topology.all_agents_failed': 'upstream',
  'topology.agents_failed': 'upstream',
  'hybrid.no_local_model': 'forbidden',
  'hybrid.mask_incomplete': 'forbidden',
});

declare module '../core/errors.js' {
  interface ErrorCodeTables {
    topology: typeof TOPOLOGY_ERROR_CODES;
  }
}
