import { z } from 'zod';

/** The `operations` config section: how operations are invoked. */
export const OperationsConfigSchema = z.strictObject({
  /**
   * Check every operation's result against its output schema before it is returned (development
   * and tests; `AGENTD_VALIDATE_OUTPUTS=1` turns it on). A mismatch is an `operation.invalid_output`
   * system error: a bug in agentd, never the caller's fault.
   */
  validateOutputs: z.boolean().default(false),
});
