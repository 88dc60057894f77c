import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { createGatewayApp, governedModel, VIRTUAL_MODELS } from '../agents/index.js';
import type {
  AgentContext,
  AgentGateway,
  AgentSpec,
  GatewayAccess,
  GatewayCall,
  GatewayRequest,
  GatewaySession,
} from '../agents/index.js';
import { createCostMeter } from '../budget/index.js';
import type { Budget } from '../budget/index.js';
import type { AgentdConfig } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import { AgentdError, toAgentdError } from '../core/errors.js';
import '../agents/gateway/gateway-error-codes.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { createLoopGuard } from '../executor/index.js';
import type { DurableContext, DurableEngine } from '../executor/index.js';
import type { EmbeddingModel, ListedModel } from '../models/index.js';
import type { ModelRouter } from '../router/index.js';
import { holds } from '../security/index.js';
import type { Actor } from '../security/index.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { TaskStore } from '../store/task-store.js';
import type { ToolRegistry } from '../tools/index.js';
import { ATTR } from '../trace/index.js';
import type { Tracer } from '../trace/index.js';

/** Where the gateway's HTTP endpoint is served, as interfaces see it. */
export interface GatewayHost {
  /**
   * The OpenAI-compatible app to mount under `/openai/v1`. A task key is checked here; any other
   * credential is the server's to authenticate, and `standalone` returns the actor it found.
   */
  app(options: { standalone?(c: Context): Actor }): Hono;
  /** Whether a bearer credential is a task key (the server leaves those to the gateway). */
  isTaskKey(credential: string): boolean;
  /** The served base URL (`…/openai/v1`) that `open()` hands out; undefined: a loopback listener of its own. */
  serveAt(baseUrl: string | undefined): void;
}

/** The gateway: the agents' AgentGateway, and the host interfaces mount. */
export interface GatewayService extends AgentGateway, GatewayHost {
  /** Revokes every key and closes the loopback listener, if one was opened. */
  close(): Promise<void>;
}

/** Options of {@link createGatewayService}. */
export interface GatewayServiceDependencies {
  config: AgentdConfig;
  clock: Clock;
  tracer: Tracer;
  tools: ToolRegistry;
  ledger: LedgerStore;
  /** Where a standalone call is recorded as a finished task of its own. */
  tasks: TaskStore;
  router: ModelRouter;
  engine: DurableEngine;
  daily: () => Promise<Budget>;
  /** Every catalog and reported model, with availability. */
  models(): ListedModel[];
  /** Whether a model id names a model of a configured provider (listed or not, as the native path takes it). */
  resolvable(id: string): boolean;
  /** The configured embedding model (`memory.embeddings`), or undefined when it is `none`. */
  embedder(): EmbeddingModel | undefined;
  logger: Logger;
  /** How long a task key lives at most, ms (it is revoked earlier when its run ends); default one hour. */
  keyTtlMs?: number;
}

const KEY_PREFIX = 'agtk_';
const DEFAULT_TTL_MS = 3_600_000;

/** One open task key: whose run it acts for, and until when. */
interface Session {
  request: GatewayRequest;
  expiresAt: number;
}

/**
 * The OpenAI-compatible gateway (ADR 0069): foreign agents' model calls, each one of their agent's
 * governed calls. `open()` mints a task key — 256 random bits, kept only as its SHA-256 in memory,
 * bound to one run (task, agent, span), revoked by `close()`, when its task stops, or after its TTL —
 * so a key is its own scope and cannot reach another task. A holder of an ordinary credential with
 * `models.call` uses it standalone: each call is then a small task of its own in the ledger, its
 * agent named after the request's `user` (or `metadata.group`), so calls group by it.
 */
export function createGatewayService(deps: GatewayServiceDependencies): GatewayService {
  const { config, clock, tracer, logger } = deps;
  const ttl = deps.keyTtlMs ?? DEFAULT_TTL_MS;
  const sessions = new Map<string, Session>();
  let served: string | undefined;
  let loopback: Promise<{ url: string; close(): Promise<void> }> | undefined;

  const catalog = () => [
    ...Object.keys(VIRTUAL_MODELS).map((id) => ({ id, ownedBy: 'agentd' })),
    ...deps
      .models()
      .filter((m) => m.available && !m.simulated)
      .map((m) => ({ id: m.id, ownedBy: m.provider })),
    ...deps
      .models()
      .filter((m) => m.available && m.simulated)
      .map((m) => ({ id: m.id, ownedBy: m.provider })),
  ];
  const checkModel = (model: string) => {
    if (VIRTUAL_MODELS[model] !== undefined) return;
    if (deps.models().some((m) => m.id === model && m.available)) return;
    if (!deps.models().some((m) => m.id === model) && deps.resolvable(model)) return;
    throw new AgentdError({
      code: 'gateway.model_not_found',
      message: `the model '${model}' does not exist or is not available here; GET /models lists them (agentd/auto lets the router choose)`,
      details: { param: 'model' },
    });
  };
  const embed: GatewayAccess['embed'] = async (texts) => {
    const embedder = deps.embedder();
    if (!embedder) {
      throw new AgentdError({
        code: 'gateway.no_embeddings',
        message: 'no embedding model is configured (memory.embeddings is none)',
      });
    }
    const vectors = await embedder.embed(texts);
    // Read after embedding: a provider's model knows its id (and vector size) once it has answered.
    return { model: embedder.id, vectors };
  };

  function sessionOf(credential: string): Session {
    const hash = digest(credential);
    const session = sessions.get(hash);
    if (!session || session.expiresAt <= clock.now()) {
      sessions.delete(hash);
      throw new AgentdError({
        code: 'gateway.key_invalid',
        message: 'this task key is not valid (unknown, revoked or expired)',
      });
    }
    if (session.request.context.durable.signal.aborted) {
      sessions.delete(hash);
      throw new AgentdError({
        code: 'gateway.task_ended',
        message: 'the task this key belongs to has stopped; its key no longer works',
      });
    }
    return session;
  }

  function taskAccess(session: Session): GatewayAccess {
    return {
      async open(model) {
        checkModel(model);
        return {
          model: governedModel(session.request, { model }),
          taskId: session.request.context.durable.taskId,
          end: () => undefined,
        };
      },
      embed,
    };
  }

  function standaloneAccess(actor: Actor): GatewayAccess {
    if (!holds(actor, 'models.call')) {
      throw new AgentdError({
        code: 'gateway.forbidden',
        message: `${actor.id} may not call models through the gateway (needs the models.call permission)`,
      });
    }
    return {
      async open(model, tags) {
        checkModel(model);
        const group = tags.user ?? tags.metadata?.['group'] ?? actor.id;
        return standaloneCall(model, group);
      },
      embed,
    };
  }

  /** One standalone call as a small task of its own: its own id, budget, journal, ledger rows and span. */
  async function standaloneCall(model: string, group: string): Promise<GatewayCall> {
    const taskId = newId('task');
    const agent: AgentSpec = { name: agentName(group), tools: [] };
    const budget = (await deps.daily()).child({ name: 'gateway call', limits: config.budget.task });
    const agentSpan = tracer.startSpan(`invoke_agent ${agent.name}`, {
      kind: 'agent',
      taskId,
      attributes: { [ATTR.operationName]: 'invoke_agent', [ATTR.agentName]: agent.name },
    });
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const durable = await new Promise<DurableContext>((resolve, reject) => {
      deps.engine
        .run({ taskId, signal: new AbortController().signal }, async (ctx) => {
          resolve(ctx);
          await finished;
        })
        .catch((error: unknown) => {
          reject(error);
          logger.warn('gateway: a standalone call ended with an error', { taskId, message: String(error) });
        });
    });
    const context: AgentContext = {
      durable,
      workspace: '',
      ensureWorkspace: () => Promise.resolve(),
      tracer,
      parentSpan: agentSpan,
      tools: deps.tools,
      clock,
      router: deps.router,
      routing: () => ({ strategy: 'single', cascadeModels: 1 }),
      costMeter: createCostMeter({ taskId, ledger: deps.ledger, clock }),
      emit: () => undefined,
      budget,
      guard: createLoopGuard(),
      defaultMaxSteps: config.agents.maxSteps,
      defaultMaxOutputTokens: config.budget.defaultMaxOutputTokens,
      reserveOutput: config.budget.reserveOutput,
      modelTimeoutMs: config.agents.modelTimeoutMs,
      firstTokenTimeoutMs: config.agents.firstTokenTimeoutMs,
      stallTimeoutMs: config.agents.stallTimeoutMs,
    };
    let ended = false;
    const startedAt = clock.now();
    // Recorded once it has ended (never as running: a resume after a crash has nothing to rerun).
    const record = async (failure: { code: string; message: string } | undefined) => {
      const finishedAt = clock.now();
      const prompt = `gateway call to ${model} by ${group}`.slice(0, 300);
      await deps.tasks.create({
        id: taskId,
        status: failure ? 'failed' : 'succeeded',
        prompt,
        input: { prompt },
        output: null,
        error: failure ?? null,
        result: null,
        simulated: false,
        owner: null,
        heartbeatAt: null,
        createdAt: startedAt,
        startedAt,
        finishedAt,
      });
    };
    return {
      model: governedModel({ agent, context, agentSpan }, { model }),
      taskId,
      end(error) {
        if (ended) return;
        ended = true;
        const failure = error === undefined ? undefined : toAgentdError(error);
        const outcome = failure ? { code: failure.code, message: failure.message } : undefined;
        agentSpan.end(outcome);
        finish();
        record(outcome).catch((error: unknown) =>
          logger.warn('gateway: a standalone call could not be recorded as a task', {
            taskId,
            message: String(error),
          }),
        );
      },
    };
  }

  async function baseUrl(): Promise<string> {
    if (served) return served;
    // Under `agentd run` or a library runtime: a listener of its own on loopback, for task keys only.
    loopback ??= new Promise((resolve, reject) => {
      const root = new Hono().route('/openai/v1', service.app({}));
      const server = createAdaptorServer({ fetch: root.fetch });
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => {
        const { port } = server.address() as AddressInfo;
        resolve({
          url: `http://127.0.0.1:${port}/openai/v1`,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      });
    });
    return (await loopback).url;
  }

  const service: GatewayService = {
    model: (request) => governedModel(request),
    async open(request): Promise<GatewaySession> {
      const url = await baseUrl();
      // Expired keys leave the table here, so it holds only live runs' keys.
      const now = clock.now();
      for (const [hash, session] of sessions) if (session.expiresAt <= now) sessions.delete(hash);
      const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
      const hash = digest(key);
      sessions.set(hash, { request, expiresAt: clock.now() + ttl });
      const routing = request.context.routing(request.agent);
      return {
        baseUrl: url,
        apiKey: key,
        model: routing.pinned ?? 'agentd/auto',
        close: () => {
          sessions.delete(hash);
          return Promise.resolve();
        },
      };
    },
    app(options) {
      return createGatewayApp({
        models: catalog,
        logger,
        authorize: async (c) => {
          const credential = /^bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '')?.[1];
          if (credential !== undefined && service.isTaskKey(credential)) {
            return taskAccess(sessionOf(credential));
          }
          if (!options.standalone) {
            throw new AgentdError({
              code: 'gateway.key_invalid',
              message: 'a task key is required here (Authorization: Bearer agtk_…)',
            });
          }
          return standaloneAccess(options.standalone(c));
        },
      });
    },
    isTaskKey: (credential) => credential.startsWith(KEY_PREFIX),
    serveAt(url) {
      served = url;
    },
    async close() {
      sessions.clear();
      const listener = loopback;
      loopback = undefined;
      if (listener) await (await listener).close();
    },
  };
  return service;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** An agent name (letters, digits, `_.-`, ≤ 64) for a standalone caller's group. */
function agentName(group: string): string {
  const cleaned = group.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 56);
  return `gateway.${cleaned || 'caller'}`;
}
