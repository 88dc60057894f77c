import { z } from 'zod';
import { AgentSpecSchema, TeamSpecSchema } from '../agents/index.js';
import { BudgetLimitsSchema } from '../budget/index.js';
import { QualitySettingsSchema } from '../judge/index.js';
import { RoutingSchema } from '../router/index.js';

/** A task request: a prompt, and optionally the agent or team to run and a model for all of them. */
export const TaskInputSchema = z
  .strictObject({
    prompt: z.string().trim().min(1, { message: 'prompt must not be empty' }).max(200_000),
    agent: AgentSpecSchema.optional(),
    team: TeamSpecSchema.optional(),
    model: z
      .string()
      .regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' })
      .optional()
      .describe('A model id that overrides every agent model for this task'),
    routing: RoutingSchema.optional().describe(
      "How this task's model calls are routed (objective, strategy, kind, minQuality, maxLatencyMs, maxCostUsd); an agent's own requirements win",
    ),
    budget: BudgetLimitsSchema.optional().describe(
      'Limits for this task; they can only tighten the team file and configured limits',
    ),
    quality: QualitySettingsSchema.optional().describe(
      'How the output is judged: judging (off, checks, single, panel), a rubric (file path or inline), checks, judges, strategy, maxRounds, budgetCap',
    ),
    forge: z
      .boolean()
      .optional()
      .describe('Let Forge design the team (ignored when the task names an agent or a team)'),
  })
  .refine((input) => !(input.agent && input.team), {
    message: 'give either agent or team, not both',
    path: ['team'],
  });

/** A task request as validated. */
export type TaskInput = z.infer<typeof TaskInputSchema>;
