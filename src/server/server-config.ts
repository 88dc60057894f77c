import { z } from 'zod';
import { SecretRefSchema } from '../models/models-config.js';

/** The `server` section of the config. */
export const ServerConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7070),
  /** Bearer token required on every request but `/v1/health`; mandatory when binding beyond loopback. */
  authToken: SecretRefSchema.optional(),
});
