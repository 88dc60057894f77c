import type { SubTeamSpec, TeamSpec } from '../agents/index.js';
import { circularTopology } from './circular.js';
import { dagTopology } from './dag.js';
import { debateTopology } from './debate.js';
import { forestTopology } from './forest.js';
import { gridTopology } from './grid.js';
import { hierarchicalTopology } from './hierarchical.js';
import { createHybridTopology } from './hybrid.js';
import { makerTopology } from './maker.js';
import { meshTopology } from './mesh.js';
import { mixtureOfAgentsTopology } from './mixture-of-agents.js';
import { parallelTopology } from './parallel.js';
import { prepareTeamWith } from './prepare-team.js';
import type { PreparedTeam } from './prepare-team.js';
import { sequentialTopology } from './sequential.js';
import { singleTopology } from './single.js';
import { starTopology } from './star.js';
import type { Topology } from './topology.js';

/** Every topology agentd ships, by name. */
export const topologies: ReadonlyMap<string, Topology<unknown>> = new Map(
  (
    [
      singleTopology,
      sequentialTopology,
      parallelTopology,
      hierarchicalTopology,
      dagTopology,
      debateTopology,
      meshTopology,
      starTopology,
      gridTopology,
      forestTopology,
      circularTopology,
      mixtureOfAgentsTopology,
      makerTopology,
      // Late-bound: the inner team is checked against this same map when a team is prepared.
      createHybridTopology((team) => prepareTeam(team)),
    ] as Topology<unknown>[]
  ).map((t) => [t.name, t]),
);

/** Checks a team against the shipped topologies (see prepareTeamWith). */
export function prepareTeam(team: TeamSpec | SubTeamSpec): PreparedTeam {
  return prepareTeamWith(topologies, team);
}
