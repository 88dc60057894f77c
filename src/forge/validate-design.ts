import { z } from 'zod';
import type { TeamSpec } from '../agents/index.js';
import { AgentdError } from '../core/errors.js';
import { prepareTeam } from '../topology/index.js';
import { TeamDesignSchema, toTeamSpec } from './team-design.js';
import type { TeamDesign } from './team-design.js';

/** What a design is checked against besides its schema and its topology's shape rules. */
export interface DesignRules {
  /** The name the team gets. */
  teamName: string;
  /** The tools agents may use; a design naming any other is invalid (it would fail when the agent runs). */
  toolNames: readonly string[];
  /** More rules (e.g. the judge's check specs): each message returned is a validation error. */
  validate?: ((design: TeamDesign) => readonly string[]) | undefined;
}

/** A checked design: the design and its team, or every problem found, in words a model can act on. */
export type DesignCheck = { ok: true; design: TeamDesign; team: TeamSpec } | { ok: false; errors: string[] };

/**
 * Checks a design before any agent runs: its schema, its tools, the caller's extra rules, the team
 * spec it makes, and the topology's shape rules (prepareTeam). Problems are values, not throws,
 * because an invalid model answer is expected and goes back to the model for repair.
 */
export function validateDesign(answer: unknown, rules: DesignRules): DesignCheck {
  const parsed = TeamDesignSchema.safeParse(answer);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map(describeIssue) };
  }
  const design = parsed.data;
  // Tool and extra-rule problems are collected together, so one repair can fix them all.
  const errors = [...unknownTools(design, rules.toolNames), ...(rules.validate?.(design) ?? [])];
  if (errors.length > 0) return { ok: false, errors };
  let team: TeamSpec;
  try {
    team = toTeamSpec(design, rules.teamName);
    prepareTeam(team);
  } catch (error) {
    if (error instanceof AgentdError) return { ok: false, errors: [error.message] };
    throw error;
  }
  return { ok: true, design, team };
}

/** One line per unknown tool, naming the agent and what is available. */
function unknownTools(design: TeamDesign, toolNames: readonly string[]): string[] {
  const known = new Set(toolNames);
  const available = toolNames.length > 0 ? toolNames.join(', ') : 'none';
  return design.agents.flatMap((agent) =>
    agent.tools
      .filter((tool) => !known.has(tool))
      .map((tool) =>
        tool === 'delegate'
          ? `agent '${agent.name}' lists the delegate tool; name its teammates in delegates instead`
          : `agent '${agent.name}' uses tool '${tool}', which is not available (available: ${available})`,
      ),
  );
}

/** A schema issue as one line, located by its path: `agents[0].name: must be 1-64 letters, …`. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index > 0 ? '.' : ''}${String(key)}`))
    .join('');
  return `${path || 'the design'}: ${issue.message}`;
}
