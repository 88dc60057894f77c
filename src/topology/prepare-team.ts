import { z } from 'zod';
import type { SubTeamSpec, TeamSpec } from '../agents/index.js';
import { closestName } from '../core/closest-name.js';
import { AgentdError } from '../core/errors.js';
import './topology-error-codes.js';
import { invalidTeam } from './invalid-team.js';
import type { Topology, TopologyAgentField } from './topology.js';

/** A team checked against its topology's rules, with the topology and its parsed options. */
export interface PreparedTeam {
  team: TeamSpec;
  topology: Topology<unknown>;
  options: unknown;
}

const AGENT_FIELDS: readonly TopologyAgentField[] = ['dependsOn', 'parent'];

/**
 * Checks a team before any model call: the topology exists (never silently swapped), its options
 * parse, agent names are unique, agent fields the topology does not read are absent, delegation
 * targets exist, sub-teams are valid, and the topology's own shape rules hold.
 */
export function prepareTeamWith(
  topologies: ReadonlyMap<string, Topology<unknown>>,
  team: TeamSpec | SubTeamSpec,
): PreparedTeam {
  const topology = topologies.get(team.topology);
  if (!topology) {
    throw new AgentdError({
      code: 'topology.unknown',
      message: `unknown topology '${team.topology}'; available: ${[...topologies.keys()].join(', ')}`,
    });
  }
  const parsed = topology.options.safeParse(team.options ?? {});
  if (!parsed.success) {
    throw invalidTeam(team.topology, optionProblems(topology.options, parsed.error).join('; '));
  }
  const names = new Set<string>();
  for (const agent of team.agents) {
    if (names.has(agent.name)) {
      throw invalidTeam(
        team.topology,
        `agent name '${agent.name}' is used twice; names must be unique within a team`,
      );
    }
    names.add(agent.name);
    for (const field of AGENT_FIELDS) {
      if (agent[field] !== undefined && !topology.agentFields?.includes(field)) {
        throw invalidTeam(
          team.topology,
          `agent '${agent.name}' sets '${field}', which ${team.topology} does not use` +
            ` (${field === 'dependsOn' ? 'dag' : 'forest'} does)`,
        );
      }
    }
  }
  const subteams = 'subteams' in team ? (team.subteams ?? {}) : {};
  for (const agent of team.agents) {
    for (const target of agent.delegates ?? []) {
      if (target === agent.name) {
        throw invalidTeam(team.topology, `agent '${agent.name}' cannot delegate to itself`);
      }
      if (!names.has(target) && !(target in subteams)) {
        throw invalidTeam(
          team.topology,
          `agent '${agent.name}' delegates to '${target}', which is neither an agent of the team nor a sub-team`,
        );
      }
    }
  }
  for (const [name, subteam] of Object.entries(subteams)) {
    try {
      prepareTeamWith(topologies, subteam);
    } catch (error) {
      if (error instanceof AgentdError) {
        throw new AgentdError({
          code: error.code,
          message: `sub-team '${name}': ${error.message}`,
          ...(error.details ? { details: error.details } : {}),
        });
      }
      throw error;
    }
  }
  topology.validate(team as TeamSpec, parsed.data);
  return { team: team as TeamSpec, topology, options: parsed.data };
}

/**
 * Each problem of a team's options as `options.key.path: reason`; an unknown option names the
 * closest known one ("did you mean judge?") or, failing that, lists them.
 */
function optionProblems(schema: z.ZodType, error: z.ZodError): string[] {
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  return error.issues.flatMap((issue) => {
    const path = ['options', ...issue.path.map(String)].join('.');
    if (issue.code !== 'unrecognized_keys') return [`${path}: ${issue.message}`];
    return issue.keys.map((key) => {
      const guess = issue.path.length === 0 ? closestName(key, known) : undefined;
      const hint = guess
        ? `; did you mean ${guess}?`
        : known.length > 0 && issue.path.length === 0
          ? `; the options are ${known.join(', ')}`
          : '';
      return `${path}.${key}: unknown option${hint}`;
    });
  });
}
