import { z } from 'zod';
import { SecretRefSchema } from '../models/models-config.js';

/** The `server` section of the config. */
export const ServerConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(7070),
  /**
   * Connections the kernel holds completed until the server accepts them (Linux caps it at
   * net.core.somaxconn). Node's default, 511, drops handshakes under a burst of clients.
   */
  backlog: z.number().int().min(1).max(65_535).default(4_096),
  /** Bearer token required on every request but `/v1/health`; mandatory when binding beyond loopback. */
  authToken: SecretRefSchema.optional(),
  /**
   * Browser origins (exact `scheme://host[:port]`, e.g. `http://localhost:5173`) that may call the
   * API besides the server's own loopback origin; CORS is answered for them. Default: none.
   */
  allowedOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/\s?#]+$/, 'an origin: scheme://host[:port], no path'))
    .max(50)
    .default([]),
});
