import { z } from 'zod';
import { CheckSpecSchema } from './check-spec.js';
import { ConsensusStrategySchema } from './consensus.js';
import { RubricSchema } from './rubric.js';

/** How a task's output is judged: not at all, deterministic checks only, one judge, or a panel. */
export const JudgingModeSchema = z.enum(['off', 'checks', 'single', 'panel']);

/** One judge of a panel: a model through the router (or the default), and a persona. */
export const JudgeSpecSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'must be 1-64 letters, digits, _ . -' }),
  model: z
    .string()
    .regex(/^[^/\s]+\/\S+$/, { message: 'must look like provider/model' })
    .optional()
    .describe('the model this judge runs on (default: the router’s pick, or models.default)'),
  persona: z
    .string()
    .min(1)
    .optional()
    .describe('how this judge reads the work, e.g. "a strict security reviewer"'),
});

/** Per-task quality settings (in a request, a team file or the config): what judges the output and how. */
export const QualitySettingsSchema = z.strictObject({
  judging: JudgingModeSchema.optional(),
  /** A rubric: a file path (YAML or JSON), or the rubric inline. */
  rubric: z.union([z.string().min(1), RubricSchema]).optional(),
  /** Deterministic checks besides the rubric's own. */
  checks: z.array(CheckSpecSchema).optional(),
  strategy: ConsensusStrategySchema.optional(),
  judges: z.array(JudgeSpecSchema).min(1).max(9).optional(),
  /** Rounds at most (the first included) before the task goes to human review. */
  maxRounds: z.number().int().min(1).max(5).optional(),
  /** All rounds together may cost at most this many times the first round. */
  budgetCap: z.number().min(1).max(20).optional(),
});

/** The `quality` config section: defaults for every task. */
export const QualityConfigSchema = z.strictObject({
  /**
   * `single` (default): one judge when a task has a rubric; `panel`: every judge in `judges`;
   * `checks`: deterministic checks only; `off`. A task with no rubric and no checks is not judged.
   */
  judging: JudgingModeSchema.default('single'),
  /** A rubric file applied to every task that names none (default: none). */
  rubric: z.string().min(1).optional(),
  /**
   * The folder of rubrics that requests over the network may name (`"rubric": "support"` →
   * `support.yaml` there); the only files such a request can make agentd read. Relative to the
   * working directory; default `rubrics`.
   */
  rubricDir: z.string().min(1).default('rubrics'),
  strategy: ConsensusStrategySchema.default('mean'),
  judges: z
    .array(JudgeSpecSchema)
    .min(1)
    .max(9)
    .default([{ name: 'judge' }]),
  maxRounds: z.number().int().min(1).max(5).default(3),
  budgetCap: z.number().min(1).max(20).default(3),
  /** Programs a `command` check may run (e.g. [npm, node, pytest]); none by default. */
  allowedCommands: z.array(z.string().min(1)).default([]),
});

/** The `quality` section as parsed. */
export type QualityConfig = z.infer<typeof QualityConfigSchema>;
/** Per-task quality settings as parsed. */
export type QualitySettings = z.infer<typeof QualitySettingsSchema>;
/** One judge of a panel. */
export type JudgeSpec = z.infer<typeof JudgeSpecSchema>;
