import { z } from 'zod';
import { AgentSpecSchema, TeamSpecSchema } from '../agents/index.js';
import { BudgetLimitsSchema } from '../budget/index.js';
import { LabelSchema, QualitySettingsSchema, RubricSchema } from '../judge/index.js';
import { RoutingSchema } from '../router/index.js';
import { validate } from '../core/validate.js';
import '../executor/executor-error-codes.js';

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
      .union([z.boolean(), z.literal('design')])
      .optional()
      .describe(
        "true: Forge designs the team, then it runs (ignored when the task names an agent or a team); 'design': the output is the design, nothing runs",
      ),
    tenant: z
      .string()
      .trim()
      .min(1, 'must not be empty (leave it out for memory.tenant)')
      .max(200)
      .optional()
      .describe(
        'The memory tenant this task recalls from and leaves its memories in (default memory.tenant); tenants never see each other’s memories',
      ),
    calibrate: z
      .strictObject({
        rubric: z.union([z.string().min(1), RubricSchema]),
        labels: z.array(LabelSchema).min(2).max(1000),
      })
      .optional()
      .describe(
        'Calibrate the judges (quality.judges) against human-labelled items; the output is the report',
      ),
  })
  .refine((input) => !(input.agent && input.team), {
    message: 'give either agent or team, not both',
    path: ['team'],
  });

/** A task request as validated. */
export type TaskInput = z.infer<typeof TaskInputSchema>;

/** A task request before validation (what library callers write). */
export type TaskRequest = z.input<typeof TaskInputSchema>;

// Requests that passed TaskInputSchema, so a request validated at an operation boundary is not
// validated again by the task service (and one that was not, is).
const validated = new WeakSet<object>();

/** Validates a task request (throws `task.invalid` naming the field), once. */
export function parseTaskInput(request: TaskRequest | TaskInput): TaskInput {
  if (validated.has(request)) return request as TaskInput;
  return acceptedTaskInput(validate(TaskInputSchema, request, { where: 'task', code: 'task.invalid' }));
}

/** Records an object that a schema containing TaskInputSchema has just produced as validated. */
export function acceptedTaskInput(input: TaskInput): TaskInput {
  validated.add(input);
  return input;
}
