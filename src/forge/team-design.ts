import { z } from 'zod';
import { ModelRequirementsSchema, TeamSpecSchema, TOPOLOGY_NAMES } from '../agents/index.js';
import type { TeamSpec } from '../agents/index.js';
import { BudgetLimitsSchema } from '../budget/index.js';
import { AgentdError } from '../core/errors.js';
import './forge-error-codes.js';

/** The most agents a design may have: every agent costs model calls, and Forge is meant to be cheap. */
export const MAX_DESIGN_AGENTS = 12;

// The same rule as an agent spec's name, repeated here so the JSON schema the model sees carries it.
const AgentNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'must be 1-64 letters, digits, _ . - (no spaces)' });

// Optional fields also accept null: models asked for JSON often write `null` for "not set", and
// refusing that would spend the one repair on a non-problem. toTeamSpec drops the nulls.

/** One agent of a designed team. */
export const DesignedAgentSchema = z.object({
  name: AgentNameSchema.describe(
    'Unique within the team; short and lower-case, e.g. "planner", "writer" (letters, digits, _ . -; no spaces).',
  ),
  role: z.string().min(1).describe('What this agent is, in a few words, e.g. "Researcher".'),
  instructions: z
    .string()
    .min(1)
    .describe(
      'The agent’s system instructions: what it does in this team, what it hands on, and what it must not do.',
    ),
  tools: z
    .array(z.string().min(1))
    .default([])
    .describe('Names of the available tools this agent may call; [] for none. Give only the tools it needs.'),
  requirements: ModelRequirementsSchema.nullish().describe(
    'Only when the agent needs more than a default model: capabilities (tools, json, vision) or routing constraints.',
  ),
  dependsOn: z
    .array(AgentNameSchema)
    .nullish()
    .describe('dag topology only: the agents whose outputs this one needs. Leave out for other topologies.'),
  parent: AgentNameSchema.nullish().describe(
    'forest topology only: the agent that synthesises this one’s output with its siblings’. Leave out otherwise.',
  ),
  delegates: z
    .array(AgentNameSchema)
    .nullish()
    .describe('Teammates this agent may hand a sub-task to with the delegate tool. Usually left out.'),
});

/** A designed agent as parsed. */
export type DesignedAgent = z.infer<typeof DesignedAgentSchema>;

/** The rubric a judge scores the team's output with. */
export const RubricDesignSchema = z
  .object({
    criteria: z
      .array(
        z.object({
          name: z.string().min(1).describe('Short identifier of the criterion, e.g. "correctness".'),
          description: z.string().min(1).describe('What a judge checks for this criterion.'),
          weight: z
            .number()
            .positive()
            .describe('Relative weight of the criterion, e.g. 1 (higher counts more).'),
        }),
      )
      .min(1)
      .describe('What the output is judged on.'),
    threshold: z
      .number()
      .min(0)
      .max(1)
      .describe('The weighted score (0-1) the output needs to pass, e.g. 0.7.'),
  })
  .superRefine((rubric, ctx) => {
    // Verdicts report scores per criterion name, so two criteria with one name could not be told apart.
    const seen = new Set<string>();
    for (const [index, criterion] of rubric.criteria.entries()) {
      if (seen.has(criterion.name)) {
        ctx.addIssue({
          code: 'custom',
          message: `criterion name '${criterion.name}' is used twice`,
          path: ['criteria', index, 'name'],
        });
      }
      seen.add(criterion.name);
    }
  });

/** A designed rubric as parsed. */
export type RubricDesign = z.infer<typeof RubricDesignSchema>;

/**
 * A deterministic check on the output. Only its `type` is read here: the judge domain owns the
 * check specs, and the caller of designTeam can validate them with its own rules.
 */
export const CheckDesignSchema = z
  .looseObject({
    type: z.string().min(1).describe('The kind of check, e.g. "contains", "regex", "length", "json-schema".'),
  })
  .describe('One deterministic check: its type and that type’s fields.');

/** A designed check as parsed (its type plus whatever fields that type has). */
export type CheckDesign = z.infer<typeof CheckDesignSchema>;

/** A team design: what Forge asks a model for, and what the heuristic produces without one. */
export const TeamDesignSchema = z.object({
  topology: z
    .enum(TOPOLOGY_NAMES)
    .describe(
      'The execution topology; choose the simplest one that fits the task (single for a simple task).',
    ),
  options: z
    .record(z.string(), z.unknown())
    .nullish()
    .describe(
      'The topology’s options (see the list of topologies); {} for the defaults. Options that name an agent must name one of this team.',
    ),
  agents: z
    .array(DesignedAgentSchema)
    .min(1)
    .max(MAX_DESIGN_AGENTS)
    .describe('The agents, in the order the topology uses them. One to four agents fit most tasks.'),
  rubric: RubricDesignSchema.nullish().describe(
    'How a judge scores the output, when quality is a matter of judgement. Leave out for simple tasks (not judged then).',
  ),
  checks: z
    .array(CheckDesignSchema)
    .nullish()
    .describe(
      'Deterministic checks the output must pass (cost nothing), when it can be checked mechanically.',
    ),
  budget: BudgetLimitsSchema.nullish().describe(
    'Limits for the run (usd, tokens, modelCalls, wallTimeMs); they can only tighten the configured ones.',
  ),
  rationale: z
    .string()
    .min(1)
    .describe('One to three sentences: why this topology, these agents and this judging fit the task.'),
});

/** A team design as parsed. */
export type TeamDesign = z.infer<typeof TeamDesignSchema>;

/** Keeps a list field only when it says something: an empty dependsOn or delegates means "none". */
function nonEmpty<T>(list: readonly T[] | null | undefined): T[] | undefined {
  return list && list.length > 0 ? [...list] : undefined;
}

/**
 * The team a design describes, validated by TeamSpecSchema (rubric, checks and rationale are for the
 * judge and the reader, not the team). Throws `forge.invalid_design` when the design does not make a
 * valid team spec; it does not check the topology's shape rules (prepareTeam does).
 */
export function toTeamSpec(design: TeamDesign, name: string): TeamSpec {
  const candidate = {
    name,
    topology: design.topology,
    options: design.options ?? {},
    agents: design.agents.map((agent) => ({
      name: agent.name,
      role: agent.role,
      instructions: agent.instructions,
      tools: agent.tools,
      ...(agent.requirements ? { requirements: agent.requirements } : {}),
      ...(nonEmpty(agent.dependsOn) ? { dependsOn: nonEmpty(agent.dependsOn) } : {}),
      ...(agent.parent ? { parent: agent.parent } : {}),
      ...(nonEmpty(agent.delegates) ? { delegates: nonEmpty(agent.delegates) } : {}),
    })),
    ...(design.budget ? { budget: design.budget } : {}),
  };
  const parsed = TeamSpecSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AgentdError({
      code: 'forge.invalid_design',
      message: `the design is not a valid team: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
    });
  }
  return parsed.data;
}
