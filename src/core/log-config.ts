import { z } from 'zod';

/** The log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The `log` section: how much long-running commands (`agentd serve`) write to stderr. */
export const LogConfigSchema = z.strictObject({
  /** `info` (default) writes one line per HTTP request; `warn` only problems. `--log-level` overrides it. */
  level: z.enum(LOG_LEVELS).default('info'),
});
