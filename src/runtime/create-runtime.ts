import type { AgentdConfig } from '../config/index.js';
import { configFingerprint, configPathOf, loadConfigFromSystem, maskConfig } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import { openDbosHost } from '../executor/dbos/dbos-host.js';
import { createJournalEngine, createTaskRunner } from '../executor/index.js';
import { createModelInventory, defaultModelId } from '../models/index.js';
import type { ModelProvider } from '../models/index.js';
import { createMemoryService } from '../memory/index.js';
import {
  createApiKeyService,
  createAuditLog,
  createDailyBudget,
  createGatewayService,
  createReviewService,
  createRouterService,
  createRuntimeMemory,
  createTaskPlanner,
  createTaskRetention,
  createTaskService,
  createTeamWorkflow,
  outputEventShaper,
} from '../pipeline/index.js';
import { createModelRouter } from '../router/index.js';
import type { ModelRouter } from '../router/index.js';
import { createNetGuard, createSecretVault } from '../security/index.js';
import {
  builtinTools,
  createHttpFetchTool,
  createMcpToolSource,
  createShellTool,
  createToolRegistry,
} from '../tools/index.js';
import type { AnyTool } from '../tools/index.js';
import type { AgentRunner } from '../agents/index.js';
import { StoreSpanExporter } from '../trace/exporters/store-span-exporter.js';
import { createTracer } from '../trace/index.js';
import { redactingLogger, traceRedaction } from './trace-pii-redaction.js';
import { configuredEmbeddingModel } from './configured-embedding-model.js';
import { configuredProviders } from './configured-providers.js';
import { mcpValueResolver } from './mcp-values.js';
import { withVaultSecrets } from './open-secret-vault.js';
import type { Runtime } from './runtime.js';
import { systemCheck } from './system-check.js';
import { warmUp } from './warm-up.js';
import { watchConfigFiles } from './watch-config.js';
import { openStores } from './open-stores.js';

/** Options of {@link createRuntime}. */
export interface RuntimeOptions {
  /** Config keys that override files and environment (same shape as `agentd.yaml`). */
  config?: Record<string, unknown>;
  /** A fully loaded config; skips reading files and the environment (tests, embedding). */
  loadedConfig?: AgentdConfig;
  /** Extra providers (e.g. scripted fakes in tests); they replace configured ones of the same name. */
  providers?: ModelProvider[];
  /**
   * Probe for an OpenAI-compatible server when no provider is configured (default true: Ollama's
   * port on 127.0.0.1); `{ baseUrls }` probes those instead.
   */
  detectLocalServer?: boolean | { baseUrls: string[] };
  /** Resume tasks a crashed process left running (default false; `agentd serve` turns it on). */
  resume?: boolean;
  /**
   * Whether this process runs tasks (default true). With `executor.engine: dbos`, false makes it a
   * submitter only (`agentd serve --no-worker`): workers elsewhere take its tasks from the queue.
   */
  worker?: boolean;
  clock?: Clock;
  logger?: Logger;
  /** Retries per model and call for retryable errors (default: `router.retry.maxRetries`). */
  maxRetries?: number;
  /** Lease renewal interval for running tasks, ms (default 5000). */
  heartbeatMs?: number;
  /** Tools agents may use besides the built-in ones (see `defineTool`). */
  tools?: AnyTool[];
  /**
   * Reread the config files (and `models.catalogFile`) when they change, applying catalog and
   * `router` changes without a restart (default false; `agentd serve` turns it on).
   */
  watchConfig?: boolean;
  /** How the config is (re)read (default: the files and environment, with `config` overrides). */
  loadConfig?: () => AgentdConfig;
  /** Runs each agent instead of the built-in runner (tests run stand-ins for foreign agents). */
  agentRunner?: AgentRunner;
}

const SIMULATED_NOTICE =
  'No model provider configured: using the simulated model (a labelled dry run, not a real model). ' +
  'Set OPENAI_API_KEY, ANTHROPIC_API_KEY or GOOGLE_GENERATIVE_AI_API_KEY, start Ollama, or add providers to agentd.yaml.';

/**
 * Builds a runtime, the composition root of agentd: reads the config, opens the stores, sets up
 * providers, router, tracer, executor and the task pipeline, and returns the facade of services.
 */
export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const fromSystem = () => loadConfigFromSystem(options.config ? { overrides: options.config } : {});
  // A runtime given a loaded config and no way to reread it keeps that config on reload.
  const given = options.loadedConfig;
  const readConfig = options.loadConfig ?? (given ? () => given : fromSystem);
  const loaded = given ?? readConfig();
  const clock = options.clock ?? systemClock;
  // `secret:` references are resolved from the vault, which lives in the database: open it first.
  const opened = await openStores(loaded, options.logger ?? silentLogger);
  const { stores } = opened;
  let config: AgentdConfig;
  const vault = createSecretVault({ store: stores.secrets, keys: loaded.vault, clock });
  try {
    config = await withVaultSecrets(loaded, vault);
  } catch (error) {
    await stores.close();
    throw error;
  }
  // The router section as last (re)loaded.
  let routerSettings = config.router;
  // security.pii.traces: spans and log lines are written with personal data masked.
  const traceRedact = traceRedaction(config.security.pii.traces);
  const logger = redactingLogger(options.logger ?? silentLogger, traceRedact);

  // Providers given in code replace configured ones of the same name.
  const extra = options.providers ?? [];
  const configured = await configuredProviders(
    config,
    { extra, detect: options.detectLocalServer ?? true },
    logger,
  );
  const providers = [
    ...configured.filter((p) => !extra.some((e) => e.name === p.provider.name)),
    ...extra.map((provider) => ({ provider, available: true })),
  ];
  const models = createModelInventory({ providers, catalogEntries: config.models.catalog, logger });
  const defaultModel = defaultModelId({
    configured: config.models.default,
    // A hosted provider's own default (e.g. groq → llama-3.3-70b-versatile) comes from its config.
    providers: providers.map(({ provider }) => ({
      name: provider.name,
      type: provider.type,
      defaultModel: configured.find((c) => c.provider === provider)?.config.defaultModel,
    })),
    discoveredModels: Object.fromEntries(
      configured.flatMap((c) => (c.detectedModels ? [[c.config.name, [...c.detectedModels]]] : [])),
    ),
  });

  const tracer = createTracer({
    exporters: [new StoreSpanExporter({ traces: stores.traces })],
    logger,
    ...(traceRedact ? { redact: traceRedact } : {}),
  });
  // http_fetch goes through the guard built from `security.net`; an agent gets it only when its spec lists it.
  const netGuard = createNetGuard({ config: config.security.net });
  const httpFetch = createHttpFetchTool({ guard: netGuard });
  // MCP servers start (or connect) when an agent first uses their tools, and are shared by all tasks.
  const mcpTools = createMcpToolSource({
    config: config.mcp,
    pins: stores.mcpPins,
    guard: netGuard,
    resolveValue: mcpValueResolver(config, vault),
    clock,
    logger,
  });
  const tools = createToolRegistry(
    [
      ...builtinTools,
      httpFetch,
      // Off by default: only an enabled config adds it, and then only agents listing it get it.
      ...(config.tools.shell.enabled ? [createShellTool({ config: config.tools.shell, logger })] : []),
      ...(options.tools ?? []),
    ],
    { sources: [mcpTools] },
  );
  // executor.engine: dbos — DBOS Transact on Postgres runs tasks as workflows from a shared queue.
  const dbos =
    config.executor.engine === 'dbos'
      ? await openDbosHost({
          config: config.executor.dbos,
          worker: options.worker ?? true,
          reviews: stores.reviews,
          clock,
          logger,
          async deadLetter(taskId, attempts) {
            await stores.tasks.transition(taskId, ['queued', 'running'], 'failed', {
              error: {
                code: 'task.dead_lettered',
                message: `task ${taskId} was taken over from dead workers ${attempts - 1} times (executor.dbos.maxAttempts)`,
              },
              finishedAt: clock.now(),
            });
          },
        }).catch(async (error: unknown) => {
          await stores.close();
          throw error;
        })
      : undefined;
  const engine =
    dbos?.engine ?? createJournalEngine({ journal: stores.journal, reviews: stores.reviews, clock });
  const routerConfig = (c: AgentdConfig) =>
    options.maxRetries === undefined
      ? c.router
      : { ...c.router, retry: { ...c.router.retry, maxRetries: options.maxRetries } };
  const router: ModelRouter = createModelRouter({
    config: routerConfig(config),
    candidates: () => models.candidates(),
    resolve: (id) => models.registry.resolve(id),
    store: stores.router,
    logger,
  });
  await router.load();

  // The embedding model loads on first use (a recall in a tenant with memories, a search, or the
  // background indexer embedding what tasks wrote).
  // A provider's embeddings retry as its model calls do.
  const embedder = await configuredEmbeddingModel(config, routerConfig(config).retry.maxRetries);
  // Which vector search memory uses; the exact scan is correct but slower at scale, so it warns.
  if (config.memory.enabled)
    (stores.memories.vectorIndex === 'exact-scan' ? logger.warn : logger.info).call(
      logger,
      {
        'sqlite-vec': 'memory: vector search through the sqlite-vec extension',
        'quantized-scan': 'memory: vector search scans quantized codes and re-scores exactly',
        'exact-scan':
          'memory: the sqlite-vec extension did not load; vector search scans every stored vector',
      }[stores.memories.vectorIndex],
      {
        vectorIndex: stores.memories.vectorIndex,
        embeddings:
          typeof config.memory.embeddings === 'string'
            ? config.memory.embeddings
            : config.memory.embeddings.model,
      },
    );
  const memoryService = createMemoryService({
    store: stores.memories,
    procedures: stores.procedures,
    config: config.memory,
    embedder: () => embedder,
    logger,
    pii: config.security.pii.memory,
  });

  // One day budget for tasks and for the gateway's standalone calls alike.
  const daily = createDailyBudget({ dailyUsd: config.budget.dailyUsd, ledger: stores.ledger, clock });
  const gateway = createGatewayService({
    config,
    clock,
    tracer,
    tools,
    ledger: stores.ledger,
    tasks: stores.tasks,
    router,
    engine,
    daily,
    models: () => models.list(defaultModel),
    resolvable: (id) => {
      try {
        models.registry.resolve(id);
        return true;
      } catch {
        // Not a model of any configured provider: the gateway answers 404 model_not_found.
        return false;
      }
    },
    embedder: () => embedder,
    logger,
  });

  const planner = createTaskPlanner({
    config,
    router,
    tools,
    models,
    defaultModel,
    routerSettings: () => routerSettings,
  });
  const runner = createTaskRunner({
    tasks: stores.tasks,
    journal: stores.journal,
    ledger: stores.ledger,
    reviews: stores.reviews,
    engine,
    tracer,
    clock,
    logger,
    maxTaskSteps: config.executor.maxTaskSteps,
    maxRunningTasks: config.executor.maxRunningTasks,
    maxQueuedTasks: config.executor.maxQueuedTasks,
    // Tasks record the config they ran with; a process with another config leaves them alone.
    origin: { configFingerprint: configFingerprint(config), configPath: configPathOf(config) },
    shapeEvent: outputEventShaper(config.security.pii.outputs),
    ...(dbos ? { dispatcher: dbos.dispatcher, worker: options.worker ?? true } : {}),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    workflow: createTeamWorkflow({
      config,
      clock,
      tracer,
      tools,
      ledger: stores.ledger,
      reviews: stores.reviews,
      router,
      memory: config.memory.enabled ? memoryService : undefined,
      logger,
      verdicts: stores.verdicts,
      simulatedOnly: models.onlySimulated,
      planOf: (task) => planner.planOf(task),
      routing: planner.routing,
      localModels: () => models.localModels(),
      daily,
      gateway,
      ...(options.agentRunner ? { runner: options.agentRunner } : {}),
    }),
  });

  /**
   * Rereads the config: catalog changes (prices, new models, priors) and the `router` section
   * apply to the next decision; other sections need a restart. A broken file keeps the old config.
   */
  function reload(): void {
    let next: AgentdConfig;
    try {
      next = readConfig();
    } catch (error) {
      logger.error('config reload failed; keeping the previous config', {
        reason: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    models.updateCatalog(next.models.catalog);
    routerSettings = next.router;
    router.reconfigure(routerConfig(next));
    logger.info('config reloaded: catalog and router settings applied', { files: next.files.length });
  }
  const stopWatching = options.watchConfig
    ? watchConfigFiles({ files: config.files, onChange: reload })
    : undefined;

  // Set once `tasks.applyRetention()` starts the configured retention; stopped on close.
  let stopRetention: (() => Promise<void>) | undefined;
  const retention = createTaskRetention({
    tasks: stores.tasks,
    audit: stores.audit,
    clock,
    logger,
    home: config.home,
    dropWorkingNotes: (tenant, taskId) => memoryService.dropWorkingNotes(tenant, taskId),
    defaultTenant: config.memory.tenant,
    retention: config.executor.retention,
  });
  const tasks = createTaskService({
    runner,
    planner,
    tasks: stores.tasks,
    traces: stores.traces,
    tracer,
    audit: stores.audit,
    clock,
    defaultTenant: config.memory.tenant,
    retention,
    applyRetention: () => (stopRetention ??= retention.schedule()),
  });
  if (options.resume) await tasks.resumeInterrupted({ watch: true });
  const keys = createApiKeyService({
    store: stores.apiKeys,
    audit: stores.audit,
    clock,
    flushIntervalMs: config.security.auth.lastUsedFlushSeconds * 1000,
  });

  return {
    tasks,
    reviews: createReviewService({
      reviews: stores.reviews,
      runner,
      audit: stores.audit,
      clock,
      tenantOf: (taskId) => tasks.tenantOf(taskId),
    }),
    models: {
      defaultModel,
      notice: models.onlySimulated ? SIMULATED_NOTICE : undefined,
      list: () => models.list(defaultModel),
      check: ({ live }) =>
        systemCheck({
          config,
          configured: configured.filter((c) => !extra.some((e) => e.name === c.provider.name)),
          models,
          defaultModel,
          embedder: config.memory.enabled ? embedder : undefined,
          clock,
          live,
        }),
    },
    router: createRouterService({ router, defaultMaxOutputTokens: config.budget.defaultMaxOutputTokens }),
    memory: createRuntimeMemory({
      service: memoryService,
      tracer,
      audit: stores.audit,
      clock,
      defaultTenant: config.memory.tenant,
    }),
    audit: createAuditLog(stores.audit, clock),
    ...(dbos ? { cluster: { status: () => dbos.status() } } : {}),
    keys,
    gateway,
    mcpTools,
    settings: {
      auth: config.security.auth,
      config: maskConfig(config),
      server: config.server,
      logLevel: config.log.level,
      validateOutputs: config.operations.validateOutputs,
      store: { engine: opened.engine, describe: opened.describe },
      reload,
    },
    warmUp: () =>
      warmUp({
        classify: (text) => router.classify(text),
        embedder: config.memory.enabled ? embedder : undefined,
        memories: stores.memories,
        tenant: config.memory.tenant,
        logger,
      }),
    async close() {
      stopWatching?.();
      // Before the runner and the store close: a prune under way finishes its current task.
      await stopRetention?.();
      await runner.close();
      await dbos?.close();
      await gateway.close();
      await mcpTools.close();
      // What tasks wrote gets its vectors now, while the store is open (within a bound: the rest
      // keeps its mark and is embedded after the next start).
      await memoryService.close();
      await router.flush();
      await keys.flush();
      await tracer.shutdown();
      await stores.close();
    },
  };
}
