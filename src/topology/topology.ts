import type { AgentInput, AgentResult, AgentSpec, TeamSpec } from '../agents/index.js';

/** What a topology may do: run agents. Everything else (durability, budget, spans) comes with it. */
export interface TopologyContext {
  runAgent(agent: AgentSpec, input: AgentInput): Promise<AgentResult>;
}

/** An execution pattern for a team. */
export interface Topology {
  readonly name: TeamSpec['topology'];
  readonly description: string;
  /** Checks the team's shape before any model call; throws `topology.invalid_team`. */
  validate(team: TeamSpec): void;
  run(team: TeamSpec, task: { prompt: string }, ctx: TopologyContext): Promise<{ output: string }>;
}
