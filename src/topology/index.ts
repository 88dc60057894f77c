import type { TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import { sequentialTopology } from './sequential.js';
import { singleTopology } from './single.js';
import type { Topology } from './topology.js';

export type { Topology, TopologyContext } from './topology.js';

/** Every topology agentd ships, by name. */
export const topologies: ReadonlyMap<string, Topology> = new Map(
  [singleTopology, sequentialTopology].map((t) => [t.name, t]),
);

/** The topology a team names; unknown names fail clearly (never silently swapped). */
export function topologyFor(team: TeamSpec): Topology {
  const topology = topologies.get(team.topology);
  if (!topology) {
    throw new AgentdError({
      code: 'topology.unknown',
      message: `unknown topology '${team.topology}'; available: ${[...topologies.keys()].join(', ')}`,
    });
  }
  return topology;
}
