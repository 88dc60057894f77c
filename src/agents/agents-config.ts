import { z } from 'zod';

/** The `agents` section: defaults for agents that do not set their own. */
export const AgentsConfigSchema = z.strictObject({
  /** Model calls an agent may make in one run (each tool round trip is one more call). */
  maxSteps: z.number().int().min(1).max(100).default(8),
  /** A model call that has not finished after this long fails with `model.timeout`. */
  modelTimeoutMs: z.number().int().min(1_000).max(3_600_000).default(300_000),
});
