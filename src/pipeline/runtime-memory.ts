import type { Clock } from '../core/clock.js';
import { AgentdError, toAgentdError } from '../core/errors.js';
import '../memory/memory-error-codes.js';
import type { Json } from '../core/json.js';
import type {
  MemoryEdit,
  MemoryQuery,
  MemoryService,
  NewMemory,
  RememberOutcome,
  ScoredMemory,
} from '../memory/index.js';
import type { AuditStore } from '../store/audit-store.js';
import type { MemoryRecord, MemoryStats } from '../store/memory-store.js';
import type { ProcedureRecord } from '../store/procedure-store.js';
import { ATTR } from '../trace/index.js';
import { recordChange } from './audit-log.js';
import type { Tracer } from '../trace/index.js';
import type { Actor } from '../security/index.js';

/** Memory as users see it: search, add, show, edit, forget, stats, re-embed, procedures. */
export interface RuntimeMemory {
  search(query: Omit<MemoryQuery, 'tenant'> & { tenant?: string | undefined }): Promise<ScoredMemory[]>;
  /** Adds a memory; junk is refused with `memory.refused` (422). */
  add(
    input: Omit<NewMemory, 'tenant'> & { tenant?: string | undefined },
    actor?: Actor,
  ): Promise<Exclude<RememberOutcome, { outcome: 'refused' }>>;
  get(id: string, tenant?: string): Promise<MemoryRecord>;
  edit(id: string, edit: MemoryEdit & { tenant?: string | undefined }, actor?: Actor): Promise<MemoryRecord>;
  forget(id: string, tenant?: string, actor?: Actor): Promise<void>;
  stats(tenant?: string): Promise<
    MemoryStats & {
      tenant: string;
      vectorIndex: string;
      vectorIndexDetail: string | null;
      embeddingModel: string | null;
    }
  >;
  reembed(
    options?: { onProgress?: (done: number) => void },
    actor?: Actor,
  ): Promise<{ model: string | null; reembedded: number; current: number }>;
  /**
   * Resolves once every memory written so far has its vector: tasks write their memories at once
   * (full-text search finds them) and the vectors follow in the background.
   */
  settled(): Promise<void>;
  procedures(query?: {
    tenant?: string;
    taskKind?: string;
    topology?: string;
    limit?: number;
  }): Promise<ProcedureRecord[]>;
}

/**
 * The memory operations of a runtime. Every change is a `memory.*` span and an audit event
 * (who, what, which memory); reads are neither.
 */
export function createRuntimeMemory(deps: {
  service: MemoryService;
  tracer: Tracer;
  audit: AuditStore;
  clock: Clock;
  defaultTenant: string;
}): RuntimeMemory {
  const { service, tracer, audit, clock } = deps;
  const tenantOf = (tenant: string | undefined) => tenant ?? deps.defaultTenant;

  /** Runs a change inside a span and records it in the audit log once it succeeded. */
  async function change<T>(
    action: string,
    tenant: string | null,
    actor: Actor | undefined,
    run: () => Promise<T>,
    describe: (result: T) => { target: string; details: Json },
  ): Promise<T> {
    const span = tracer.startSpan(action, {
      kind: 'memory',
      attributes: tenant ? { [ATTR.memoryTenant]: tenant } : {},
    });
    try {
      const result = await run();
      const { target, details } = describe(result);
      span.setAttributes({ [ATTR.memoryId]: target });
      await recordChange({ audit, clock }, { actor, action, target, tenant, details });
      span.end();
      return result;
    } catch (error) {
      const failure = toAgentdError(error);
      span.end({ code: failure.code, message: failure.message });
      throw failure;
    }
  }

  return {
    search: (query) => service.search({ ...query, tenant: tenantOf(query.tenant) }, clock.now()),

    add(input, actor) {
      const tenant = tenantOf(input.tenant);
      return change(
        'memory.add',
        tenant,
        actor,
        async () => {
          const outcome = await service.add({ ...input, tenant }, clock.now());
          if (outcome.outcome === 'refused') {
            throw new AgentdError({
              code: 'memory.refused',
              message: `memory not added: ${outcome.reason}`,
              details: { reason: outcome.reason },
            });
          }
          return outcome;
        },
        (outcome): { target: string; details: Json } => ({
          target: outcome.memory.id,
          details: {
            outcome: outcome.outcome,
            layer: outcome.memory.layer,
            ...(outcome.outcome === 'superseded' ? { superseded: outcome.previous.id } : {}),
          },
        }),
      );
    },

    get: (id, tenant) => service.get(id, tenantOf(tenant)),

    edit(id, edit, actor) {
      const tenant = tenantOf(edit.tenant);
      return change(
        'memory.edit',
        tenant,
        actor,
        () => service.edit(id, tenant, edit),
        () => ({
          target: id,
          details: {
            fields: Object.keys(edit).filter(
              (key) => key !== 'tenant' && edit[key as keyof MemoryEdit] !== undefined,
            ),
          },
        }),
      );
    },

    forget(id, tenant, actor) {
      const scope = tenantOf(tenant);
      return change(
        'memory.forget',
        scope,
        actor,
        () => service.forget(id, scope),
        () => ({ target: id, details: {} }),
      );
    },

    async stats(tenant) {
      const scope = tenantOf(tenant);
      return { tenant: scope, ...(await service.stats(scope)) };
    },

    reembed(options = {}, actor) {
      return change(
        'memory.reembed',
        null,
        actor,
        () => service.reembed(options),
        (result) => ({
          target: result.model ?? '-',
          details: { reembedded: result.reembedded, current: result.current },
        }),
      );
    },

    settled: () => service.settled(),

    procedures: (query = {}) =>
      service.procedures({
        tenant: tenantOf(query.tenant),
        limit: query.limit ?? 20,
        ...(query.taskKind ? { taskKind: query.taskKind } : {}),
        ...(query.topology ? { topology: query.topology } : {}),
      }),
  };
}
