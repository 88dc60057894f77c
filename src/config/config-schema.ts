import { z } from 'zod';
import { AgentsConfigSchema } from '../agents/agents-config.js';
import { ModelsConfigSchema, ProviderConfigSchema } from '../models/models-config.js';
import type { ResolvedProviderConfig } from '../models/models-config.js';
import { ServerConfigSchema } from '../server/server-config.js';
import { StoreConfigSchema } from '../store/store-config.js';

/** The config file's schema, composed from each domain's section schema. */
export const ConfigFileSchema = z.strictObject({
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), ProviderConfigSchema).optional(),
  models: ModelsConfigSchema.default({ catalog: [] }),
  store: StoreConfigSchema.default({}),
  server: ServerConfigSchema.default({ host: '127.0.0.1', port: 7070 }),
  agents: AgentsConfigSchema.default({ maxSteps: 8 }),
});

/** A config file as parsed. */
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** The effective configuration: files and environment merged, defaults applied, secrets resolved. */
export interface AgentdConfig {
  /** agentd's data folder (`AGENTD_HOME`, default `~/.agentd`). */
  home: string;
  /** The config files that were read, lowest precedence first. */
  files: string[];
  providers: ResolvedProviderConfig[];
  models: ConfigFile['models'];
  store: { path: string };
  server: { host: string; port: number; authToken?: string };
  agents: ConfigFile['agents'];
}
