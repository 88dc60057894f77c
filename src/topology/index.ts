export { prepareTeam, topologies } from './registry.js';
export type { PreparedTeam } from './prepare-team.js';
export { runTeam } from './run-team.js';
export type { TeamRunEnvironment } from './run-team.js';
export type { Topology, TopologyContext, TopologyResult } from './topology.js';
export { keepsSensitiveCallsLocal, localOnlyCallPolicy } from './hybrid.js';
