import { z } from 'zod';
import { BudgetLimitsSchema } from '../budget/index.js';
import { RoutingSchema } from '../router/index.js';
import { A2aRemoteSchema } from './a2a/a2a-remote-spec.js';
import { AGENT_KINDS, checkKindFields, ProcessEnvSchema } from './kinds/kind-fields.js';

/**
 * What an agent needs from its model: capabilities, and routing constraints. With a pinned
 * `model`, they apply to the fallbacks the router picks when that model fails.
 */
export const ModelRequirementsSchema = z.strictObject({
  tools: z.boolean().optional(),
  json: z.boolean().optional(),
  vision: z.boolean().optional(),
  ...RoutingSchema.shape,
});

/** What an agent or team name may be: also a file name, so no separators, spaces or leading dot. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Why a name that does not match NAME_PATTERN is refused. */
export const NAME_RULE = 'must be 1-64 letters, digits, _ . - (no spaces)';

const AgentNameSchema = z.string().regex(NAME_PATTERN, { message: NAME_RULE });

/** An agent: who it is, what it is told, which model (or model capabilities) and tools it uses. */
export const AgentSpecSchema = z
  .strictObject({
    name: AgentNameSchema,
    role: z.string().min(1).optional(),
    instructions: z.string().min(1).optional(),
    model: z
      .string()
      .regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' })
      .optional(),
    requirements: ModelRequirementsSchema.optional(),
    /**
     * Who runs the agent: agentd's own loop (`native`, the default), a framework's agent loaded
     * from `module` (`langgraph`, `openai-agents`, `ai-sdk`), a program speaking the process
     * protocol (`process`), or a remote A2A agent (`a2a`). See docs/frameworks.md.
     */
    kind: z.enum(AGENT_KINDS).optional(),
    /** A remote A2A agent that takes this agent's turns instead of a model. */
    a2a: A2aRemoteSchema.optional(),
    /** langgraph, openai-agents, ai-sdk: the module (.ts, .mts, .js, .mjs) inside the project folder. */
    module: z
      .string()
      .min(1)
      .max(1024)
      .regex(/\.(ts|mts|js|mjs)$/, { message: 'must name a .ts, .mts, .js or .mjs file' })
      .optional(),
    /** langgraph, openai-agents, ai-sdk: the module's export that holds the agent (default `default`). */
    export: z
      .string()
      .regex(/^[A-Za-z_$][A-Za-z0-9_$]{0,127}$/, { message: 'must be a JavaScript export name' })
      .optional(),
    /** process: the program and its arguments (no shell). */
    command: z.array(z.string().min(1).max(4096)).min(1).max(256).optional(),
    /** process: the folder it runs in, inside the project folder (default: the task's workspace). */
    cwd: z.string().min(1).max(1024).optional(),
    /** process: variables set for it; a value `env:NAME` is agentd's variable NAME (agents.allowedEnv). */
    env: ProcessEnvSchema.optional(),
    /** process: time limit of one run, ms (default 300000). */
    timeoutMs: z.number().int().min(100).max(86_400_000).optional(),
    tools: z.array(z.string().min(1)).default([]),
    /**
     * Tools of this agent whose every call waits for a human's approval (the task is suspended
     * until `agentd reviews approve|reject|edit`), besides tools defined with `requiresApproval`.
     */
    requireApproval: z.array(z.string().min(1)).optional(),
    maxSteps: z.number().int().min(1).max(100).optional(),
    /** Sampling temperature passed to the model. */
    temperature: z.number().min(0).max(2).optional(),
    /** Cap on output tokens per model call. */
    maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
    /** dag: the agents whose outputs this one needs; it starts when they have all finished. */
    dependsOn: z.array(AgentNameSchema).optional(),
    /** forest: the agent that synthesises this one's output with its siblings'. */
    parent: AgentNameSchema.optional(),
    /**
     * Teammates or sub-teams (by name) this agent may hand a sub-task to with the `delegate` tool;
     * each delegation is a child run with the remaining budget, up to the delegation depth limit.
     */
    delegates: z.array(AgentNameSchema).optional(),
  })
  .superRefine(checkKindFields)
  .refine((spec) => !(spec.a2a && (spec.model || spec.tools.length > 0 || spec.delegates?.length)), {
    message: 'a remote A2A agent (a2a) takes no model, tools or delegates: the remote agent has its own',
    path: ['a2a'],
  })
  .refine((spec) => (spec.requireApproval ?? []).every((tool) => spec.tools.includes(tool)), {
    message: 'every tool listed in requireApproval must also be in tools',
    path: ['requireApproval'],
  });

/** An agent spec as validated. */
export type AgentSpec = z.infer<typeof AgentSpecSchema>;
/** Model capability requirements. */
export type ModelRequirements = z.infer<typeof ModelRequirementsSchema>;

/** Every topology name a team file may give. */
export const TOPOLOGY_NAMES = [
  'single',
  'sequential',
  'parallel',
  'hierarchical',
  'dag',
  'debate',
  'mesh',
  'star',
  'grid',
  'forest',
  'circular',
  'mixture-of-agents',
  'maker',
  'hybrid',
] as const;

/** One of the topology names. */
export type TopologyName = (typeof TOPOLOGY_NAMES)[number];

const TeamFields = {
  name: z.string().min(1).default('team'),
  topology: z.enum(TOPOLOGY_NAMES).default('sequential'),
  agents: z.array(AgentSpecSchema).min(1, { message: 'a team needs at least one agent' }),
  /** Topology options (rounds, merge strategy, special agents, …); each topology validates its own. */
  options: z.record(z.string(), z.unknown()).default({}),
  /** Limits for a run of this team; they can only tighten the task's and the configured ones. */
  budget: BudgetLimitsSchema.optional(),
};

/** A team an agent can delegate to: like a team, but without sub-teams of its own. */
export const SubTeamSpecSchema = z.strictObject(TeamFields);

/** A team: agents run by a topology, and the sub-teams its agents may delegate to. */
export const TeamSpecSchema = z.strictObject({
  ...TeamFields,
  subteams: z.record(AgentNameSchema, SubTeamSpecSchema).optional(),
});

/** A team spec as validated. */
export type TeamSpec = z.infer<typeof TeamSpecSchema>;
/** A sub-team spec as validated. */
export type SubTeamSpec = z.infer<typeof SubTeamSpecSchema>;

/** The agent used when a task names none. */
export function defaultAgent(): AgentSpec {
  return {
    name: 'assistant',
    role: 'General assistant',
    instructions: 'You are a helpful assistant. Do the task directly and concisely.',
    tools: ['current_time', 'read_file', 'write_file', 'list_files'],
  };
}
