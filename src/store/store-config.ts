import { z } from 'zod';

/** The `store` section: where agentd keeps its data. */
export const StoreConfigSchema = z.strictObject({
  /** SQLite file path; defaults to `$AGENTD_HOME/agentd.db`. */
  path: z.string().min(1).optional(),
});
