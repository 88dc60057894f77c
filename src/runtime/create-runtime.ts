import { defaultAgent } from '../agents/index.js';
import type { AgentRouting, AgentSpec, TeamSpec } from '../agents/index.js';
import type { AgentdConfig } from '../config/index.js';
import { loadConfigFromSystem, maskConfig } from '../config/index.js';
import { systemClock } from '../core/clock.js';
import type { Clock } from '../core/clock.js';
import { AgentdError, notFound } from '../core/errors.js';
import '../models/model-error-codes.js';
import '../pipeline/pipeline-error-codes.js';
import { TERMINAL_EVENTS } from '../core/events.js';
import type { TaskEvent } from '../core/events.js';
import type { Json } from '../core/json.js';
import { silentLogger } from '../core/logger.js';
import { isLoopbackName } from '../core/loopback.js';
import type { Logger } from '../core/logger.js';
import { validate } from '../core/validate.js';
import { createJournalEngine, createTaskRunner } from '../executor/index.js';
import type { TaskResult } from '../executor/index.js';
import type {
  ModelCapabilities,
  ModelInfo,
  ModelProvider,
  ResolvedModel,
  ResolvedProviderConfig,
} from '../models/index.js';
import { createModelCatalog } from '../models/catalog.js';
import { detectLocalServer } from '../models/detect-local-server.js';
import { createModelRegistry, defaultModelId } from '../models/model-registry.js';
import { providerFactories } from '../models/providers/index.js';
import { commandAllowed, loadRubricFile } from '../judge/index.js';
import { createMemoryService } from '../memory/index.js';
import { createModelRouter } from '../router/index.js';
import type { ModelRouter, RouteDecision, RouterStat, Routing, TaskKindResult } from '../router/index.js';
import { openSqliteStores } from '../store/sqlite/open-sqlite-stores.js';
import type { TaskStatus } from '../store/task-store.js';
import type { ReviewAnswer, ReviewRecord } from '../store/review-store.js';
import type { SpanRecord } from '../store/trace-store.js';
import type { AuditEvent } from '../store/audit-store.js';
import { builtinTools, createToolRegistry } from '../tools/index.js';
import type { AnyTool } from '../tools/index.js';
import { StoreSpanExporter } from '../trace/exporters/store-span-exporter.js';
import { createTracer } from '../trace/index.js';
import { prepareTeam } from '../topology/index.js';
import type { PreparedTeam } from '../topology/index.js';
import { configuredEmbeddingModel } from './configured-embedding-model.js';
import { watchConfigFiles } from './watch-config.js';
import {
  checkEscalationAnswer,
  createRuntimeMemory,
  createTeamWorkflow,
  QUALITY_ESCALATION,
  TaskInputSchema,
} from '../pipeline/index.js';
import type { RuntimeMemory, TaskInput } from '../pipeline/index.js';

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
}

/** A call to explain: a task kind or a prompt to classify, needs and constraints. */
export interface RouteExplainRequest extends Routing {
  /** Text to classify the task kind from, when `kind` is not given. */
  prompt?: string | undefined;
  /** Capabilities the call needs. */
  needs?: Partial<ModelCapabilities> | undefined;
  /** Input tokens of the call (default: counted from `prompt`, else 1000). */
  inputTokens?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** A pinned model, to see its fallbacks. */
  model?: string | undefined;
}

/** A routing decision as explained to a user. */
export interface RouteExplanation extends RouteDecision {
  /** The classifier's answer when the kind came from the prompt. */
  classified?: TaskKindResult;
  inputTokens: number;
  maxOutputTokens: number;
}

/** A circuit breaker that is not closed. */
export interface CircuitStatus {
  scope: 'model' | 'provider';
  id: string;
  state: 'closed' | 'open' | 'half-open';
  openedAt?: number;
}

/** A model as listed to users: catalog data plus whether a configured provider serves it. */
export interface ListedModel extends ModelInfo {
  available: boolean;
  isDefault: boolean;
}

/** The runtime: the narrow, typed facade that the CLI, the HTTP server and library users call. */
export interface Runtime {
  /** The effective configuration with secrets masked. */
  readonly config: Record<string, unknown>;
  /** HTTP server settings (the auth token unmasked, for the server only). */
  readonly server: { host: string; port: number; authToken?: string; authTokenMissing?: string };
  /** The model agents use when they name none. */
  readonly defaultModel: string;
  /** A one-line notice for the user (e.g. running on the simulated model), or undefined. */
  readonly notice: string | undefined;
  /** Validates the request (agents, team shape, models, tools) and starts the task. */
  submitTask(input: TaskInput): Promise<TaskResult>;
  /** Submits and waits for the result. */
  runTask(input: TaskInput): Promise<TaskResult>;
  waitForTask(id: string): Promise<TaskResult>;
  getTask(id: string): Promise<TaskResult>;
  listTasks(query?: { status?: TaskStatus[]; limit?: number; before?: string }): Promise<TaskResult[]>;
  cancelTask(id: string): Promise<TaskResult>;
  /** Past events after `afterSeq`, then live ones, ending after the task's last event. */
  taskEvents(id: string, options?: { afterSeq?: number; signal?: AbortSignal }): AsyncIterable<TaskEvent>;
  taskSpans(id: string): Promise<SpanRecord[]>;
  /** Reviews (human decisions) newest first; every status unless `status` is given. */
  listReviews(query?: {
    status?: ReviewRecord['status'];
    taskId?: string;
    limit?: number;
    before?: string;
  }): Promise<ReviewRecord[]>;
  /** Answers a pending review; its task resumes (in this process). */
  answerReview(id: string, answer: ReviewAnswer): Promise<ReviewRecord>;
  listModels(): ListedModel[];
  /** What the router would pick for a call like this, with every candidate's scores (nothing is called or counted). */
  explainRoute(request: RouteExplainRequest): RouteExplanation;
  /** What the router has learned per model and task kind, and its circuits that are not closed. */
  routerStats(): { stats: RouterStat[]; circuits: CircuitStatus[] };
  /**
   * Resumes tasks that a crashed or stopped process left `running`; with `watch`, keeps adopting
   * such tasks on every heartbeat. Returns the ids resumed now.
   */
  resumeInterrupted(options?: { watch?: boolean }): Promise<string[]>;
  /** Memory: search, add, show, edit, forget, stats, re-embed, procedures (changes are audited). */
  readonly memory: RuntimeMemory;
  /** The audit log of changes made through operations, newest first. */
  listAudit(query?: {
    limit?: number;
    before?: string;
    action?: string;
    target?: string;
    /** Only this tenant's events (exact match); absent: every tenant's, and those without one. */
    tenant?: string;
  }): Promise<AuditEvent[]>;
  /** Rereads the config files now (see RuntimeOptions.watchConfig): catalog and router changes apply. */
  reloadConfig(): void;
  /** Stops running tasks (they resume on the next start) and closes the database. */
  close(): Promise<void>;
}

const SIMULATED_NOTICE =
  'No model provider configured: using the simulated model (a labelled dry run, not a real model). ' +
  'Set OPENAI_API_KEY, ANTHROPIC_API_KEY or GOOGLE_GENERATIVE_AI_API_KEY, start Ollama, or add providers to agentd.yaml.';

/** Builds a runtime: config, stores, providers, tracer, executor; the composition root of agentd. */
export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const fromSystem = () => loadConfigFromSystem(options.config ? { overrides: options.config } : {});
  // A runtime given a loaded config and no way to reread it keeps that config on reload.
  const given = options.loadedConfig;
  const readConfig = options.loadConfig ?? (given ? () => given : fromSystem);
  const config = given ?? readConfig();
  // The router section as last (re)loaded.
  let routerSettings = config.router;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;

  const providerConfigs = await providersToUse(config, options, logger);
  const providers = new Map<string, ModelProvider>();
  for (const provider of providerConfigs) providers.set(provider.config.name, provider.instance);
  for (const provider of options.providers ?? []) providers.set(provider.name, provider);
  let catalog = createModelCatalog({ overrides: config.models.catalog });
  const registry = createModelRegistry({ providers: [...providers.values()], catalog });
  const onlySimulated = [...providers.values()].every((p) => p.type === 'simulated');
  const discoveredModels: Record<string, string[]> = {};
  for (const p of providerConfigs) if (p.detectedModels) discoveredModels[p.config.name] = p.detectedModels;
  const configByName = new Map(providerConfigs.map((p) => [p.config.name, p.config]));
  const defaultModel = defaultModelId({
    configured: config.models.default,
    // A hosted provider's own default (e.g. groq → llama-3.3-70b-versatile) comes from its config.
    providers: [...providers.values()].map((p) => ({
      name: p.name,
      type: p.type,
      defaultModel: configByName.get(p.name)?.defaultModel,
    })),
    discoveredModels,
  });
  const stores = openSqliteStores({ path: config.store.path });
  const tracer = createTracer({ exporters: [new StoreSpanExporter({ traces: stores.traces })] });
  const tools = createToolRegistry([...builtinTools, ...(options.tools ?? [])]);
  const engine = createJournalEngine({ journal: stores.journal, reviews: stores.reviews, clock });
  const routerConfig = (c: AgentdConfig) =>
    options.maxRetries === undefined
      ? c.router
      : { ...c.router, retry: { ...c.router.retry, maxRetries: options.maxRetries } };
  const router: ModelRouter = createModelRouter({
    config: routerConfig(config),
    candidates: candidateModels,
    resolve: (id) => registry.resolve(id),
    store: stores.router,
    logger,
  });
  await router.load();
  // The embedding model loads on first use (recall in a tenant with memories, or an episode).
  const embedder = configuredEmbeddingModel(config);
  // Which vector search memory uses; the exact scan is correct but slower at scale, so it warns.
  (stores.memories.vectorIndex === 'sqlite-vec' ? logger.info : logger.warn).call(
    logger,
    stores.memories.vectorIndex === 'sqlite-vec'
      ? 'memory: vector search through the sqlite-vec extension'
      : 'memory: the sqlite-vec extension did not load; vector search scans every stored vector',
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
  });
  const memory = createRuntimeMemory({
    service: memoryService,
    tracer,
    audit: stores.audit,
    clock,
    defaultTenant: config.memory.tenant,
  });

  /**
   * Rereads the config: catalog changes (prices, new models, priors) and the `router` section
   * apply to the next decision; other sections need a restart. A broken file keeps the old config.
   */
  function reloadConfig(): void {
    let next: AgentdConfig;
    try {
      next = readConfig();
    } catch (error) {
      logger.error('config reload failed; keeping the previous config', {
        reason: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    catalog = createModelCatalog({ overrides: next.models.catalog });
    registry.updateCatalog(catalog);
    candidates = undefined;
    routerSettings = next.router;
    router.reconfigure(routerConfig(next));
    logger.info('config reloaded: catalog and router settings applied', { files: next.files.length });
  }
  const stopWatching = options.watchConfig
    ? watchConfigFiles({ files: config.files, onChange: reloadConfig })
    : undefined;

  /**
   * The models the router may pick: catalog entries of every configured provider (a provider named
   * differently from its type gets its type's entries) and the models local servers reported;
   * never the simulated model when a real provider exists.
   */
  let candidates: ModelInfo[] | undefined;
  function candidateModels(): ModelInfo[] {
    // Computed once per catalog: every model call asks for them.
    candidates ??= listCandidates();
    return candidates;
  }

  function listCandidates(): ModelInfo[] {
    const list: ModelInfo[] = [];
    for (const provider of providers.values()) {
      if (UNAVAILABLE.has(provider)) continue;
      if (!onlySimulated && provider.type === 'simulated') continue;
      const ids = new Set<string>();
      for (const entry of catalog.list()) {
        if (entry.provider === provider.name) ids.add(entry.id);
        else if (entry.provider === provider.type) ids.add(`${provider.name}/${entry.model}`);
      }
      for (const name of discoveredModels[provider.name] ?? [])
        if (!NOT_CHAT.test(name)) ids.add(`${provider.name}/${name}`);
      for (const id of ids) {
        // A model its provider cannot create (e.g. a bad name in the catalog) is not a candidate.
        try {
          list.push(registry.resolve(id).info);
        } catch (error) {
          logger.debug('router: model skipped', { model: id, reason: String(error) });
        }
      }
    }
    return list;
  }

  /** The model an agent starts with: the request's, its own, or (unless the router picks) the default. */
  function pinnedModel(agent: AgentSpec, input: TaskInput): string | undefined {
    if (input.model) return input.model;
    if (agent.model) return agent.model;
    const routed =
      agent.requirements !== undefined || input.routing !== undefined || routerSettings.unpinned === 'route';
    return routed ? undefined : defaultModel;
  }

  function routing(agent: AgentSpec, input: TaskInput): AgentRouting {
    const own = agent.requirements ?? {};
    const task = input.routing ?? {};
    const pick = <K extends 'kind' | 'objective' | 'strategy' | 'minQuality' | 'maxLatencyMs' | 'maxCostUsd'>(
      key: K,
    ) => own[key] ?? task[key];
    const constraints = {
      ...(pick('minQuality') !== undefined ? { minQuality: pick('minQuality') } : {}),
      ...(pick('maxLatencyMs') !== undefined ? { maxLatencyMs: pick('maxLatencyMs') } : {}),
      ...(pick('maxCostUsd') !== undefined ? { maxCostUsd: pick('maxCostUsd') } : {}),
    };
    return {
      pinned: pinnedModel(agent, input),
      kind: pick('kind'),
      objective: pick('objective'),
      constraints,
      strategy: pick('strategy') ?? routerSettings.strategy,
      cascadeModels: routerSettings.cascade.maxModels,
    };
  }

  function teamOf(input: TaskInput): TeamSpec {
    if (input.team) return input.team;
    return { name: 'single', topology: 'single', options: {}, agents: [input.agent ?? defaultAgent()] };
  }

  /**
   * Everything that can be checked before a task exists, so bad requests never create one; also
   * says whether any agent runs on the simulated model.
   */
  function preflight(input: TaskInput): { prepared: PreparedTeam; simulated: boolean } {
    const prepared = prepareTeam(teamOf(input));
    let simulated = false;
    const agents = [
      ...prepared.team.agents,
      ...Object.values(prepared.team.subteams ?? {}).flatMap((team) => team.agents),
    ];
    for (const agent of agents) {
      const pinned = pinnedModel(agent, input);
      // A routed agent runs on the simulated model only when it is the only one there is.
      simulated ||= pinned === undefined ? onlySimulated : registry.resolve(pinned).info.simulated;
      // A routed agent needs at least one model with the capabilities it states (or throws).
      if (pinned === undefined) {
        const wants = agent.requirements ?? {};
        router.decide(
          {
            kind: 'chat',
            needs: {
              tools: wants.tools === true || agent.tools.length > 0,
              json: wants.json,
              vision: wants.vision,
            },
            inputTokens: 0,
            maxOutputTokens: 1,
          },
          { explain: true },
        );
      }
      tools.select(agent.tools);
    }
    return { prepared, simulated };
  }

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
      simulatedOnly: onlySimulated,
      preflight,
      routing,
      localModels,
    }),
  });

  /** Models of local providers that can chat, cheapest first (for hybrid topologies). */
  function localModels(): ResolvedModel[] {
    const discovered = Object.entries(discoveredModels).flatMap(([provider, names]) =>
      names.filter((n) => !NOT_CHAT.test(n)).map((n) => catalog.describe(`${provider}/${n}`)),
    );
    return [...catalog.list(), ...discovered]
      .filter((m) => providers.get(m.provider)?.local === true && (onlySimulated || !m.simulated))
      .sort((a, b) => a.inputPerMTok + a.outputPerMTok - (b.inputPerMTok + b.outputPerMTok))
      .map((m) => registry.resolve(m.id));
  }

  async function resumeInterrupted({ watch = false }: { watch?: boolean } = {}): Promise<string[]> {
    const ids = await runner.resumeInterrupted();
    if (watch) runner.watchInterrupted();
    return ids;
  }
  if (options.resume) await resumeInterrupted({ watch: true });
  // Open event streams end when the runtime closes, instead of polling a closed database.
  let closed = false;
  const streamWakers = new Set<() => void>();

  async function getTask(id: string): Promise<TaskResult> {
    const result = await runner.result(id);
    if (!result) throw notFound('task', id);
    return result;
  }

  async function submitTask(request: TaskInput): Promise<TaskResult> {
    const input = validate(TaskInputSchema, request, { where: 'task', code: 'task.invalid' });
    // Judges asked for with nothing to judge against would leave the output silently unjudged.
    const judging = input.quality?.judging;
    if (
      (judging === 'single' || judging === 'panel') &&
      (input.quality?.rubric ?? config.quality.rubric) === undefined &&
      input.forge !== true
    ) {
      throw new AgentdError({
        code: 'quality.no_rubric',
        message: `judging '${judging}' needs a rubric: give one (--rubric FILE, quality.rubric) or let Forge design one (--forge)`,
        details: { path: 'quality.rubric' },
      });
    }
    // A rubric file that is missing or invalid is the request's fault: refused before a task exists.
    const checks = [...(input.quality?.checks ?? [])];
    for (const rubric of [input.quality?.rubric ?? config.quality.rubric, input.calibrate?.rubric]) {
      if (rubric === undefined) continue;
      checks.push(
        ...((typeof rubric === 'string' ? (await loadRubricFile(rubric)).rubric : rubric).checks ?? []),
      );
    }
    // A command check that may not run would fail every round for reasons the agents cannot fix.
    for (const check of checks) {
      if (check.type === 'command' && !commandAllowed(check.argv, config.quality.allowedCommands)) {
        throw new AgentdError({
          code: 'quality.command_not_allowed',
          message: `check '${check.argv.join(' ')}' runs a program quality.allowedCommands does not allow (allowed: ${config.quality.allowedCommands.join(', ') || 'none'})`,
        });
      }
    }
    // Known before the first call, so even the 202 answer says the task is a dry run.
    const { simulated } = preflight(input);
    const task = await runner.submit({ prompt: input.prompt, input: input as unknown as Json, simulated });
    return getTask(task.id);
  }

  return {
    config: maskConfig(config),
    server: config.server,
    defaultModel,
    notice: onlySimulated ? SIMULATED_NOTICE : undefined,

    submitTask,

    async runTask(request) {
      const submitted = await submitTask(request);
      return runner.wait(submitted.id);
    },

    waitForTask: (id) => runner.wait(id),
    getTask,

    async listTasks(query = {}) {
      const records = await stores.tasks.list({
        limit: query.limit ?? 50,
        ...(query.status ? { status: query.status } : {}),
        ...(query.before ? { before: query.before } : {}),
      });
      return Promise.all(records.map((r) => getTask(r.id)));
    },

    async cancelTask(id) {
      await runner.cancel(id);
      return getTask(id);
    },

    taskEvents(id, eventOptions = {}) {
      return streamEvents(id, eventOptions);
    },

    async taskSpans(id) {
      await getTask(id);
      await tracer.flush();
      return stores.traces.listByTask(id);
    },

    listReviews(query = {}) {
      return stores.reviews.list({
        limit: query.limit ?? 50,
        ...(query.status ? { status: query.status } : {}),
        ...(query.taskId ? { taskId: query.taskId } : {}),
        ...(query.before ? { before: query.before } : {}),
      });
    },

    async answerReview(id, answer) {
      if ((await stores.reviews.get(id))?.kind === QUALITY_ESCALATION) checkEscalationAnswer(answer);
      return runner.answerReview(id, answer);
    },

    listModels() {
      const listed = catalog.list();
      // Models a local server reported but the catalog does not know are listed too (unpriced).
      for (const [provider, names] of Object.entries(discoveredModels)) {
        for (const name of names) {
          const id = `${provider}/${name}`;
          if (!listed.some((m) => m.id === id)) listed.push(catalog.describe(id));
        }
      }
      return listed.map((m) => ({
        ...m,
        available: providers.has(m.provider),
        isDefault: m.id === defaultModel,
      }));
    },

    explainRoute(request) {
      const classified =
        request.kind === undefined && request.prompt ? router.classify(request.prompt) : undefined;
      const inputTokens =
        request.inputTokens ?? (request.prompt ? Buffer.byteLength(request.prompt, 'utf8') : 1000);
      const maxOutputTokens = request.maxOutputTokens ?? config.budget.defaultMaxOutputTokens;
      const decision = router.decide(
        {
          kind: request.kind ?? classified?.kind ?? 'chat',
          needs: request.needs ?? {},
          inputTokens,
          maxOutputTokens,
          constraints: {
            ...(request.minQuality !== undefined ? { minQuality: request.minQuality } : {}),
            ...(request.maxLatencyMs !== undefined ? { maxLatencyMs: request.maxLatencyMs } : {}),
            ...(request.maxCostUsd !== undefined ? { maxCostUsd: request.maxCostUsd } : {}),
          },
          objective: request.objective,
          pinned: request.model,
          noExploration: request.strategy === 'cascade',
        },
        { explain: true },
      );
      return { ...decision, ...(classified ? { classified } : {}), inputTokens, maxOutputTokens };
    },

    routerStats() {
      return {
        stats: router.stats(),
        circuits: router.health.states().filter((c) => c.state !== 'closed'),
      };
    },

    resumeInterrupted,

    memory,

    listAudit(query = {}) {
      return stores.audit.list({
        limit: query.limit ?? 50,
        ...(query.before ? { before: query.before } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.target ? { target: query.target } : {}),
        ...(query.tenant ? { tenant: query.tenant } : {}),
      });
    },

    reloadConfig,

    async close() {
      stopWatching?.();
      closed = true;
      for (const wake of streamWakers) wake();
      await runner.close();
      await router.flush();
      await tracer.shutdown();
      await stores.close();
    },
  };

  async function* streamEvents(
    id: string,
    { afterSeq = 0, signal }: { afterSeq?: number; signal?: AbortSignal },
  ): AsyncGenerator<TaskEvent> {
    await getTask(id);
    // Subscribe before reading the past, so nothing emitted in between is lost; dedupe by seq.
    const queue: TaskEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = runner.subscribe(id, (event) => {
      queue.push(event);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      let last = afterSeq;
      let finishedPolls = 0;
      for (const event of await stores.tasks.listEvents(id, afterSeq)) {
        last = event.seq;
        yield event;
        if (TERMINAL_EVENTS.has(event.type)) return;
      }
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift() as TaskEvent;
          // Text deltas carry the seq of the event before them; everything else must be new.
          if (event.type !== 'text-delta' && event.seq <= last) continue;
          if (event.type !== 'text-delta') last = event.seq;
          yield event;
          if (TERMINAL_EVENTS.has(event.type)) return;
        }
        if (signal?.aborted || closed) return;
        // Catch up from the store: this follows tasks run by another process, and closes any gap.
        const stored = await stores.tasks.listEvents(id, last);
        for (const event of stored) {
          last = event.seq;
          yield event;
          if (TERMINAL_EVENTS.has(event.type)) return;
        }
        if (stored.length === 0 && queue.length === 0) {
          // The status turns terminal just before the terminal event is appended: give the event
          // a few polls to arrive, and end anyway for a task that finished without one.
          const task = await stores.tasks.get(id);
          if (task && ['succeeded', 'failed', 'cancelled'].includes(task.status) && ++finishedPolls > 4)
            return;
        }
        // Events that arrived while this stream was yielding are handled before sleeping.
        if (queue.length > 0) continue;
        // The poll timer keeps the process alive: a consumer following a task run by another
        // process has nothing else pending while it waits.
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          streamWakers.add(resolve);
          timer = setTimeout(resolve, 250);
        });
        clearTimeout(timer);
        if (wake) streamWakers.delete(wake);
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

const NOT_CHAT = /embed|rerank|bge-|minilm/i;

/** Local: configured so, the in-process simulated model, or a server on loopback. */
function isLocalProvider(config: ResolvedProviderConfig): boolean {
  if (config.local !== undefined) return config.local;
  if (config.type === 'simulated') return true;
  return config.baseUrl !== undefined && isLoopbackName(new URL(config.baseUrl).hostname);
}

/** Providers whose construction failed: never routing candidates. */
const UNAVAILABLE = new WeakSet<ModelProvider>();

/** A provider whose construction failed: listed, but every model of it fails with the original error. */
function unavailableProvider(config: ResolvedProviderConfig, error: unknown): ModelProvider {
  const provider: ModelProvider = {
    name: config.name,
    type: config.type,
    languageModel() {
      throw error instanceof AgentdError
        ? error
        : new AgentdError({
            code: 'provider.unavailable',
            message: `provider ${config.name}: ${String(error)}`,
          });
    },
  };
  UNAVAILABLE.add(provider);
  return provider;
}

async function providersToUse(
  config: AgentdConfig,
  options: RuntimeOptions,
  logger: Logger,
): Promise<{ config: ResolvedProviderConfig; instance: ModelProvider; detectedModels?: string[] }[]> {
  // A provider that cannot be built (e.g. its key is missing) must not break commands that do not
  // use it; it fails, clearly, when a task asks for one of its models.
  const build = (c: ResolvedProviderConfig) =>
    providerFactories[c.type](c)
      .then((instance): ModelProvider => ({ ...instance, local: isLocalProvider(c) }))
      .catch((error: unknown) => {
        logger.warn(`provider ${c.name} is unavailable`, {
          reason: error instanceof Error ? error.message : String(error),
        });
        return unavailableProvider(c, error);
      });
  const list: { config: ResolvedProviderConfig; instance: ModelProvider; detectedModels?: string[] }[] =
    await Promise.all(config.providers.map(async (c) => ({ config: c, instance: await build(c) })));
  if (list.length === 0 && (options.providers ?? []).length === 0 && options.detectLocalServer !== false) {
    const probe =
      typeof options.detectLocalServer === 'object' ? { baseUrls: options.detectLocalServer.baseUrls } : {};
    const found = await detectLocalServer({ logger, ...probe });
    if (found) {
      // Embedding and reranking models cannot chat; never make one the default.
      found.models.sort((a, b) => Number(NOT_CHAT.test(a)) - Number(NOT_CHAT.test(b)));
      const detected: ResolvedProviderConfig = {
        name: 'ollama',
        type: 'openai-compatible',
        baseUrl: found.baseUrl,
        origin: 'detected',
      };
      list.push({ config: detected, instance: await build(detected), detectedModels: found.models });
      logger.info('detected a local OpenAI-compatible server', {
        baseUrl: found.baseUrl,
        models: found.models.length,
      });
    } else {
      logger.debug('no local OpenAI-compatible server answered');
    }
  }
  if (!list.some((p) => p.config.name === 'simulated')) {
    // Always available for explicit dry runs (`--model simulated/dry-run`), and the fallback.
    const simulated: ResolvedProviderConfig = { name: 'simulated', type: 'simulated', origin: 'fallback' };
    list.push({ config: simulated, instance: await build(simulated) });
  }
  return list;
}
