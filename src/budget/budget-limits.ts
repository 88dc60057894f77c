import { z } from 'zod';

/** Limits on one task (or a child run, or a day); every limit is optional. */
export const BudgetLimitsSchema = z.strictObject({
  /** Model spend in US dollars, at catalog prices. */
  usd: z.number().positive().optional(),
  /** Input plus output tokens. */
  tokens: z.number().int().positive().optional(),
  /** Model calls. */
  modelCalls: z.number().int().positive().optional(),
  /** Running time in ms (time spent waiting for a human does not count). */
  wallTimeMs: z.number().int().positive().optional(),
});

/** Budget limits as validated. */
export type BudgetLimits = z.infer<typeof BudgetLimitsSchema>;

/** The tightest of several sets of limits, per dimension (a missing limit does not loosen another). */
export function tightestLimits(...sets: (BudgetLimits | undefined)[]): BudgetLimits {
  const result: BudgetLimits = {};
  for (const set of sets) {
    if (!set) continue;
    for (const key of ['usd', 'tokens', 'modelCalls', 'wallTimeMs'] as const) {
      const value = set[key];
      if (value === undefined) continue;
      const current = result[key];
      result[key] = current === undefined ? value : Math.min(current, value);
    }
  }
  return result;
}
