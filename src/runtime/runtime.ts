import type { ClusterStatus } from '../executor/index.js';
import type { ListedModel } from '../models/index.js';
import type { SystemCheck } from './system-check.js';
import type { AuthConfig } from '../security/index.js';
import type { McpToolSource } from '../tools/index.js';
import type {
  ApiKeyService,
  AuditLog,
  GatewayHost,
  ReviewService,
  RouterService,
  RuntimeMemory,
  TaskService,
} from '../pipeline/index.js';

/** The models a runtime serves. */
export interface ModelService {
  /** The model agents use when they name none. */
  readonly defaultModel: string;
  /** A one-line notice for the user (e.g. running on the simulated model), or undefined. */
  readonly notice: string | undefined;
  /** Every catalog model and every model a local server reported, with availability. */
  list(): ListedModel[];
  /**
   * Checks each configured provider (key, a local server's reachability) and the embedding model;
   * `live` makes one 1-token call per provider and loads the embedding model, timing both.
   */
  check(options: { live: boolean }): Promise<SystemCheck>;
}

/** The runtime's configuration as interfaces need it. */
export interface RuntimeSettings {
  /** The effective configuration with secrets masked. */
  readonly config: Record<string, unknown>;
  /** HTTP server settings (the auth token unmasked, for the server only). */
  readonly server: {
    host: string;
    port: number;
    backlog: number;
    /** Browser origins besides the server's own that may call the API. */
    allowedOrigins: readonly string[];
    authToken?: string;
    authTokenMissing?: string;
  };
  /** The `log.level` of long-running commands (`--log-level` overrides it). */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Authentication rate limits and how often key last-use times are written (`security.auth`). */
  readonly auth: AuthConfig;
  /** Whether operation results are checked against their output schemas (development, tests). */
  readonly validateOutputs: boolean;
  /** Which database holds the stores, and a line about it for `agentd doctor` (read when asked). */
  readonly store: { engine: 'sqlite' | 'postgres'; describe(): Promise<string> };
  /** Rereads the config files now (see RuntimeOptions.watchConfig): catalog and router changes apply. */
  reload(): void;
}

/**
 * The runtime: the narrow facade that operations (and through them the CLI, the HTTP server and
 * every other interface) and library users call, one sub-service per concern.
 */
export interface Runtime {
  readonly tasks: TaskService;
  readonly reviews: ReviewService;
  readonly models: ModelService;
  readonly router: RouterService;
  /** Memory: search, add, show, edit, forget, stats, re-embed, procedures (changes are audited). */
  readonly memory: RuntimeMemory;
  /** The audit log of changes made through operations, newest first. */
  readonly audit: AuditLog;
  /** API keys: create, list, revoke, and authenticate a presented key (changes are audited). */
  readonly keys: ApiKeyService;
  /** The OpenAI-compatible gateway (`/openai/v1`) foreign agents and standalone callers use. */
  readonly gateway: GatewayHost;
  readonly settings: RuntimeSettings;
  /** The tools of the configured MCP servers: their pin status, and approving a changed definition. */
  readonly mcpTools: Pick<McpToolSource, 'status' | 'approve' | 'connection'>;
  /**
   * Loads in the background what the first task would otherwise wait for (a server calls it once it
   * listens): the task-kind classifier, and the embedding model when the default tenant already
   * holds memories, so the next task's recall embeds without loading it first. Without memories the
   * model stays unloaded until the first one is written, which keeps an idle server small (ADR 0031).
   */
  warmUp(): Promise<void>;
  /** Stops running tasks (they resume on the next start) and closes the database. */
  /** The cluster this process belongs to (engine `dbos`): workers, heartbeats, queue depth. */
  readonly cluster?: { status(): Promise<ClusterStatus> };
  close(): Promise<void>;
}
