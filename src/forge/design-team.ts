import type { z } from 'zod';
import type { TeamSpec } from '../agents/index.js';
import { AgentdError, endsTask, toAgentdError } from '../core/errors.js';
import './forge-error-codes.js';
import type { ProcedureRecord } from '../store/procedure-store.js';
import { builtinTools } from '../tools/index.js';
import { FORGE_INSTRUCTIONS, forgePrompt, repairPrompt } from './forge-prompt.js';
import type { ForgeTool } from './forge-prompt.js';
import { heuristicDesign } from './heuristic-design.js';
import { followsProcedure, preferredProcedure, procedureEvidence } from './preferred-procedure.js';
import { TeamDesignSchema } from './team-design.js';
import type { TeamDesign } from './team-design.js';
import { validateDesign } from './validate-design.js';

/** The model calls Forge makes: a first design, and at most one repair. */
export const MAX_DESIGN_ATTEMPTS = 2;

/** The team name a designed team gets unless the caller names it. */
export const DEFAULT_FORGE_TEAM_NAME = 'forge';

/** One request for a design: what the injected `ask` turns into one structured model call. */
export interface DesignRequest {
  /** The system instructions of the call. */
  instructions: string;
  /** The user prompt. */
  prompt: string;
  /** The answer's schema (TeamDesignSchema); send it as the structured-output JSON schema. */
  schema: z.ZodType;
  /** 1 for the design, 2 for the repair: stable, so a journaled step can be named after it. */
  attempt: number;
}

/** Asks a model for a design: returns its parsed JSON answer (validated or not), or throws. */
export type AskForDesign = (request: DesignRequest) => Promise<unknown>;

/**
 * Where a design came from: the model's first answer, its repaired second answer, a model answer
 * that follows the preferred procedure (first or second attempt: see `attempts`), or the heuristic.
 */
export type DesignSource = 'model' | 'repaired' | 'procedure' | 'heuristic';

/** What designTeam needs. */
export interface DesignTeamInput {
  task: string;
  /** The task kind (the router's classifier); procedures are matched on it. */
  taskKind: string;
  /** The recalled-memory block, when the memory service recalled something. */
  recalled?: string | undefined;
  /** Procedural memory for the tenant; those of `taskKind` with a good record are preferred. */
  procedures?: readonly ProcedureRecord[] | undefined;
  /** A judge's issues and suggestions from the rejected round, for a redesign. */
  feedback?: string | undefined;
  /** One structured model call (routed, budgeted, traced by the caller). */
  ask: AskForDesign;
  /** The tools agents may be given; the built-in tools when not given. */
  tools?: readonly ForgeTool[] | undefined;
  /** The team's name; DEFAULT_FORGE_TEAM_NAME when not given. */
  teamName?: string | undefined;
  /** More rules a model design must satisfy (e.g. the judge's check specs); messages are errors. */
  validate?: ((design: TeamDesign) => readonly string[]) | undefined;
  /** How checks are written, for the prompt; DEFAULT_CHECK_GUIDE when not given. */
  checkGuide?: string | undefined;
}

/** A design, the team it makes (accepted by prepareTeam), and how it was reached. */
export interface DesignTeamResult {
  design: TeamDesign;
  team: TeamSpec;
  source: DesignSource;
  /** Model calls made (0 to MAX_DESIGN_ATTEMPTS). */
  attempts: number;
  /** What went wrong on the way, each prefixed with its attempt; empty for a first-time valid design. */
  errors: string[];
  /** The procedure the prompt told the model to prefer, when one had a good record. */
  preferred?: ProcedureRecord;
}

/**
 * Designs a team for a task. The model is asked once; its answer is validated (schema, tools, the
 * caller's rules, the topology's shape rules) before any agent runs; an invalid answer is sent back
 * once with its errors verbatim; a second invalid answer, or a failed call, falls back to the
 * heuristic design. Errors that end the task (cancellation, budget, suspension) are rethrown.
 *
 * A procedure with a good record for the task kind does not skip the model: procedural memory keeps
 * a team's shape (topology, agent names) and outcomes, not its instructions, so the model is asked
 * with that procedure marked preferred and writes instructions for this task. The design's rationale
 * then names the procedure, saying whether the design follows it or departs from it.
 */
export async function designTeam(input: DesignTeamInput): Promise<DesignTeamResult> {
  const tools =
    input.tools ?? builtinTools.map((tool) => ({ name: tool.name, description: tool.description }));
  const rules = {
    teamName: input.teamName ?? DEFAULT_FORGE_TEAM_NAME,
    toolNames: tools.map((tool) => tool.name),
    validate: input.validate,
  };
  const preferred = preferredProcedure(input.procedures ?? [], input.taskKind);
  const prompt = forgePrompt({
    task: input.task,
    taskKind: input.taskKind,
    recalled: input.recalled,
    procedures: input.procedures,
    preferred,
    feedback: input.feedback,
    tools,
    checkGuide: input.checkGuide,
  });
  const errors: string[] = [];
  const extra = preferred ? { preferred } : {};
  let repair: { previous: unknown; errors: string[] } | undefined;
  let attempts = 0;
  let failure = '';

  while (attempts < MAX_DESIGN_ATTEMPTS) {
    const attempt = ++attempts;
    let answer: unknown;
    try {
      answer = await input.ask({
        instructions: FORGE_INSTRUCTIONS,
        prompt: repair ? repairPrompt(prompt, repair.previous, repair.errors) : prompt,
        schema: TeamDesignSchema,
        attempt,
      });
    } catch (error) {
      const cause = toAgentdError(error);
      if (endsTask(cause)) throw error;
      // A call that failed once (no model, provider down, unparseable output) is not asked again:
      // the heuristic is free and the task should not wait on a second failure.
      errors.push(`attempt ${attempt}: the design call failed: ${cause.message}`);
      failure = `the design call failed (${cause.message})`;
      break;
    }
    const checked = validateDesign(answer, rules);
    if (checked.ok) {
      const follows = preferred !== undefined && followsProcedure(checked.team, preferred);
      const design = {
        ...checked.design,
        rationale: withProcedure(checked.design.rationale, preferred, follows),
      };
      return {
        design,
        team: checked.team,
        source: follows ? 'procedure' : attempt === 1 ? 'model' : 'repaired',
        attempts,
        errors,
        ...extra,
      };
    }
    errors.push(...checked.errors.map((message) => `attempt ${attempt}: ${message}`));
    repair = { previous: answer, errors: checked.errors };
    const more = checked.errors.length > 1 ? ` and ${checked.errors.length - 1} more` : '';
    failure = `the model's design was invalid twice (last: ${checked.errors[0] ?? 'unknown'}${more})`;
  }

  const fallback = heuristicDesign({
    task: input.task,
    taskKind: input.taskKind,
    toolNames: rules.toolNames,
  });
  // The heuristic is pure and tested to be valid; checking it anyway keeps a broken one from running.
  const checked = validateDesign(fallback, { teamName: rules.teamName, toolNames: rules.toolNames });
  if (!checked.ok) {
    throw new AgentdError({
      code: 'forge.invalid_heuristic',
      message: `the heuristic design is invalid, which is a bug: ${checked.errors.join('; ')}`,
    });
  }
  const note = preferred
    ? ` ${capitalise(procedureEvidence(preferred))}, but procedural memory keeps a team's shape, not its ` +
      'instructions, so it could not be rebuilt without the model.'
    : '';
  return {
    design: { ...checked.design, rationale: `${checked.design.rationale} Used because ${failure}.${note}` },
    team: checked.team,
    source: 'heuristic',
    attempts,
    errors,
    ...extra,
  };
}

/** The model's rationale with the preferred procedure named, whether the design follows it or not. */
function withProcedure(rationale: string, preferred: ProcedureRecord | undefined, follows: boolean): string {
  if (!preferred) return rationale;
  const evidence = procedureEvidence(preferred);
  return `${follows ? 'Prefers' : 'Departs from'} ${evidence}. ${rationale}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
