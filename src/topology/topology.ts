import type { z } from 'zod';
import type {
  AgentInput,
  AgentResult,
  AgentSpec,
  CallPolicy,
  SubTeamSpec,
  TeamSpec,
  TopologyName,
} from '../agents/index.js';
import type { Json } from '../core/json.js';
import type { HumanAnswer, HumanRequest, Settled } from '../executor/index.js';
import type { ResolvedModel } from '../models/index.js';

/** What a topology run produces: the output, and details worth reporting (rounds, votes, approval). */
export interface TopologyResult {
  output: string;
  details?: Json;
}

/**
 * What a topology may do. Everything here is built on the executor's durable primitives, so a
 * topology written only with it is durable, budgeted, cancellable and traced without extra code.
 * Call order must be deterministic for a given sequence of agent outputs (replay depends on it).
 */
export interface TopologyContext {
  /** The original task; every agent's input must contain it. */
  readonly prompt: string;
  /** Aborted on cancellation, budget exhaustion or shutdown. */
  readonly signal: AbortSignal;
  /** Runs one agent (its model and tool calls are journaled steps). */
  runAgent(agent: AgentSpec, input: AgentInput): Promise<AgentResult>;
  /**
   * Runs branches concurrently, each in its own durable scope; returns every branch's outcome
   * (failures are values). Task-ending errors (cancel, budget, suspension) are rethrown.
   */
  parallel<T>(branches: readonly ((ctx: TopologyContext) => Promise<T>)[]): Promise<Settled<T>[]>;
  /** A named child scope (names unique within this scope and stable across runs), e.g. per DAG node. */
  scope(name: string): TopologyContext;
  /** Suspends the task until a human answers (see DurableContext.waitForHuman). */
  waitForHuman(request: HumanRequest): Promise<HumanAnswer>;
  /**
   * Runs a team as a child run: one level deeper (up to the delegation depth limit), with a
   * budget carved from what remains of this one, never a fresh one.
   */
  runTeam(team: TeamSpec | SubTeamSpec, prompt: string): Promise<TopologyResult>;
  /** The same context, but every model call of its agents first passes `policy`. */
  withCallPolicy(policy: CallPolicy): TopologyContext;
  /** Models of local providers, cheapest first (hybrid routes sensitive calls to them). */
  localModels(): ResolvedModel[];
}

/** Agent fields that only some topologies read; others reject them rather than ignore them. */
export type TopologyAgentField = 'dependsOn' | 'parent';

/** An execution pattern for a team. */
export interface Topology<Options = unknown> {
  readonly name: TopologyName;
  /** One line for `agentd topologies`. */
  readonly description: string;
  /** The topology's `options` in a team file, with their defaults. */
  readonly options: z.ZodType<Options>;
  /** Agent fields this topology reads. */
  readonly agentFields?: readonly TopologyAgentField[];
  /**
   * Checks the team's shape before any model call (unique names and options are already checked);
   * throws `topology.invalid_team` with a message naming what is wrong.
   */
  validate(team: TeamSpec, options: Options): void;
  run(team: TeamSpec, options: Options, ctx: TopologyContext): Promise<TopologyResult>;
}

/** Gives a topology definition its option type. */
export function defineTopology<Options>(topology: Topology<Options>): Topology<Options> {
  return topology;
}
