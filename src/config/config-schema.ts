import { z } from 'zod';
import { AgentsConfigSchema } from '../agents/agents-config.js';
import { BudgetConfigSchema } from '../budget/budget-config.js';
import { ExecutorConfigSchema } from '../executor/executor-config.js';
import { ModelsConfigSchema, ProviderConfigSchema } from '../models/models-config.js';
import type { ResolvedProviderConfig } from '../models/models-config.js';
import { QualityConfigSchema } from '../judge/quality-config.js';
import { MemoryConfigSchema } from '../memory/memory-config.js';
import { OperationsConfigSchema } from '../operations/operations-config.js';
import { RouterConfigSchema } from '../router/router-config.js';
import { SecurityConfigSchema } from '../security/security-config.js';
import { LogConfigSchema } from '../core/log-config.js';
import { ServerConfigSchema } from '../server/server-config.js';
import { StoreConfigSchema } from '../store/store-config.js';
import { ToolsConfigSchema } from '../tools/tools-config.js';
import { McpConfigSchema } from '../tools/mcp-client-config.js';
import type { SecretRef } from './secret-refs.js';

/** The config file's schema, composed from each domain's section schema. */
export const ConfigFileSchema = z.strictObject({
  providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), ProviderConfigSchema).optional(),
  models: ModelsConfigSchema.default({ catalog: [] }),
  store: StoreConfigSchema.default({}),
  server: ServerConfigSchema.prefault({}),
  log: LogConfigSchema.prefault({}),
  agents: AgentsConfigSchema.prefault({}),
  budget: BudgetConfigSchema.prefault({}),
  executor: ExecutorConfigSchema.prefault({}),
  router: RouterConfigSchema.prefault({}),
  memory: MemoryConfigSchema.prefault({}),
  quality: QualityConfigSchema.prefault({}),
  operations: OperationsConfigSchema.prefault({}),
  security: SecurityConfigSchema.prefault({}),
  tools: ToolsConfigSchema.prefault({}),
  mcp: McpConfigSchema.prefault({}),
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
  /** `url`: a PostgreSQL database replaces the SQLite file at `path`. */
  store: { path: string; url?: string };
  server: {
    host: string;
    port: number;
    /** The listen backlog (`server.backlog`). */
    backlog: number;
    /** Browser origins besides the server's own that may call the API (`server.allowedOrigins`). */
    allowedOrigins: string[];
    /** The resolved bearer token, when `server.authToken` names a variable that is set. */
    authToken?: string;
    /**
     * The variable `server.authToken` names when it is unset: only serving needs the token, so
     * loading succeeds and `agentd serve` refuses to start instead.
     */
    authTokenMissing?: string;
  };
  agents: ConfigFile['agents'];
  budget: ConfigFile['budget'];
  executor: ConfigFile['executor'];
  router: ConfigFile['router'];
  memory: ConfigFile['memory'];
  quality: ConfigFile['quality'];
  operations: ConfigFile['operations'];
  security: ConfigFile['security'];
  tools: ConfigFile['tools'];
  log: ConfigFile['log'];
  /** MCP servers whose tools agents may use; values keep their `env:`/`secret:` references. */
  mcp: ConfigFile['mcp'];
  /** The values of the environment variables `mcp` refers to (`env:VAR`), set ones only; never printed. */
  mcpEnv: Record<string, string>;
  /** The values of the variables `agents.allowedEnv` names (set ones only) for process agents; never printed. */
  agentEnv?: Record<string, string>;
  /** Where the vault's master key comes from. The key's text is never printed (see maskConfig). */
  vault: {
    /** `AGENTD_MASTER_KEY`, when set (validated by the vault when first used). */
    masterKey?: string;
    /** `$AGENTD_HOME/secrets.key`: created with mode 0600 on first use when no variable is set. */
    keyFile: string;
  };
  /** The `secret:NAME` references of the config, which the runtime resolves from the vault. */
  secretRefs: SecretRef[];
  /** The environment `command` checks run with: PATH, HOME, locale and time zone only. */
  commandEnv: Record<string, string>;
  /**
   * Problems that do not stop loading but will make some command fail (an unset variable that a
   * provider key, header or the server token refers to), each `key.path: reason`.
   */
  problems: string[];
}
