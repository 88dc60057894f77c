import { z } from 'zod';
import { BudgetLimitsSchema } from './budget-limits.js';

/** The `budget` config section: default per-task limits and a global daily spend limit. */
export const BudgetConfigSchema = z.strictObject({
  /** Limits of every task; a task or team file can only tighten them. */
  task: BudgetLimitsSchema.default({}),
  /** Model spend of all tasks per UTC day, in US dollars. */
  dailyUsd: z.number().positive().optional(),
  /** Output tokens reserved for a call whose agent sets no `maxOutputTokens` and whose model has no known cap. */
  defaultMaxOutputTokens: z.number().int().positive().default(4096),
  /**
   * What a call reserves for its output: `learned` (the p95 of the model's recent outputs on the
   * task kind, once it has some; the output cap before) lets parallel agents spend what the cap
   * allows; `cap` always reserves the output cap, so spend can never pass a limit (ADR 0043).
   */
  reserveOutput: z.enum(['learned', 'cap']).default('learned'),
});
