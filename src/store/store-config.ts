import { z } from 'zod';

/** A PostgreSQL connection URL (`postgres://` or `postgresql://`). */
export const PostgresUrlSchema = z
  .string()
  .min(1)
  .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
    message: 'must be a postgres:// or postgresql:// URL, e.g. postgres://agentd@db.internal:5432/agentd',
  });

/** The `store` section: where agentd keeps its data. */
export const StoreConfigSchema = z.strictObject({
  /** SQLite file path; defaults to `$AGENTD_HOME/agentd.db`. Ignored when `url` is set. */
  path: z.string().min(1).optional(),
  /**
   * A PostgreSQL database to keep everything in instead of the SQLite file (several processes on
   * several machines can share it); `AGENTD_STORE_URL` sets it too. A password is better given
   * through `AGENTD_STORE_URL` or `PGPASSWORD` than written in a file.
   */
  url: PostgresUrlSchema.optional(),
});
