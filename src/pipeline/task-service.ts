import { notFound } from '../core/errors.js';
import type { TaskEvent } from '../core/events.js';
import { parseJson } from '../core/json.js';
import type { TaskResult, TaskRunner, WaitOptions } from '../executor/index.js';
import type { Clock } from '../core/clock.js';
import type { Actor } from '../security/index.js';
import type { AuditStore } from '../store/audit-store.js';
import type { TaskStatus, TaskStore } from '../store/task-store.js';
import { recordChange } from './audit-log.js';
import type { SpanRecord, TraceStore } from '../store/trace-store.js';
import type { Tracer } from '../trace/index.js';
import { parseTaskInput } from './task-input.js';
import type { TaskRequest } from './task-input.js';
import type { TaskPlanner } from './task-plan.js';
import type { TaskRetention } from './task-retention.js';
import '../executor/executor-error-codes.js';

/** Tasks as users see them: submit, follow, inspect, cancel. */
export interface TaskService {
  /**
   * Plans the task (its team, models, tools and checks, see TaskPlanner) and starts it; a request
   * that fails a check never becomes a task. The request is validated unless it already was.
   */
  submit(request: TaskRequest, actor?: Actor): Promise<TaskResult>;
  /** Submits and waits for the result. */
  run(request: TaskRequest): Promise<TaskResult>;
  /**
   * Resolves when the task has finished (a waiting task keeps it waiting), or with its current
   * view once it waits for a human (`untilWaiting`) or `signal` aborts (see TaskRunner.wait).
   */
  wait(id: string, options?: WaitOptions): Promise<TaskResult>;
  get(id: string): Promise<TaskResult>;
  /** Newest first; `tenant`: only that tenant's tasks (those naming none run in the default tenant). */
  list(query?: {
    status?: TaskStatus[];
    limit?: number;
    before?: string;
    tenant?: string;
  }): Promise<TaskResult[]>;
  /** The tenant a task runs in (its input's, else the default); throws `task.not_found`. */
  tenantOf(id: string): Promise<string>;
  cancel(id: string, actor?: Actor): Promise<TaskResult>;
  /** Past events after `afterSeq`, then live ones, ending after the task's last event. */
  events(id: string, options?: { afterSeq?: number; signal?: AbortSignal }): AsyncIterable<TaskEvent>;
  spans(id: string): Promise<SpanRecord[]>;
  /**
   * Resumes tasks that a crashed or stopped process left `running`; with `watch`, keeps adopting
   * such tasks on every heartbeat. Returns the ids resumed now.
   */
  resumeInterrupted(options?: { watch?: boolean }): Promise<string[]>;
  /** Tasks whose process is gone, newest first, with why this runtime leaves one alone (another config). */
  listInterrupted(): Promise<InterruptedTaskView[]>;
  /**
   * Resumes one interrupted task in this runtime and returns its current view (it runs on; `wait`
   * for the end). Throws `task.not_found`, `task.not_interrupted`, or `task.config_mismatch` when
   * another config started it (unless `force`).
   */
  resume(id: string, options?: { force?: boolean }, actor?: Actor): Promise<TaskResult>;
  /** Deletes a finished task and what is recorded under its id (see TaskRetention.remove). */
  remove: TaskRetention['remove'];
  /** Removes (or lists) finished tasks older than a duration (see TaskRetention.prune). */
  prune: TaskRetention['prune'];
  /**
   * Prunes by `executor.retention` now and every `checkEvery` until the runtime closes (`agentd
   * serve` calls it once it listens); calling it again changes nothing; nothing happens while
   * retention is `off`.
   */
  applyRetention(): void;
}

/** An interrupted task as listed: its view, and why this runtime does not adopt it (or null). */
export interface InterruptedTaskView {
  task: TaskResult;
  notAdopted: string | null;
  /** The config file it was started with (null: none, or not recorded). */
  configPath: string | null;
}

/** Creates the task service over the runner and the planner its workflow takes plans from. */
export function createTaskService(deps: {
  runner: TaskRunner;
  planner: TaskPlanner;
  tasks: TaskStore;
  traces: TraceStore;
  tracer: Tracer;
  audit: AuditStore;
  clock: Clock;
  /** The memory tenant of a task that names none (the audit event's tenant). */
  defaultTenant: string;
  retention: TaskRetention;
  /** Starts the configured retention (once). */
  applyRetention(): void;
}): TaskService {
  const { runner, planner, tasks, tracer } = deps;

  async function get(id: string): Promise<TaskResult> {
    const result = await runner.result(id);
    if (!result) throw notFound('task', id);
    return result;
  }

  async function tenantOf(id: string): Promise<string> {
    const record = await tasks.get(id);
    if (!record) throw notFound('task', id);
    const input = record.input;
    const named =
      typeof input === 'object' && input !== null && !Array.isArray(input) ? input['tenant'] : undefined;
    return typeof named === 'string' ? named : deps.defaultTenant;
  }

  async function submit(request: TaskRequest, actor?: Actor): Promise<TaskResult> {
    const input = parseTaskInput(request);
    const plan = await planner.plan(input);
    const task = await runner.submit({
      prompt: input.prompt,
      // Stored as JSON. Some fields are open records (team options, JSON-schema checks) whose type
      // says `unknown`, so the request goes through JSON once instead of being cast.
      input: parseJson(JSON.stringify(input)),
      // Known before the first call, so even the 202 answer says the task is a dry run.
      simulated: plan.simulated,
      beforeStart: (created) => planner.keep(created.id, plan),
    });
    // Who started what; never the prompt (the audit log is read more widely than tasks are).
    await recordChange(deps, {
      actor,
      action: 'task.create',
      target: task.id,
      tenant: input.tenant ?? deps.defaultTenant,
      details: {
        team: plan.prepared.team.name,
        topology: plan.prepared.team.topology,
        simulated: plan.simulated,
      },
    });
    return get(task.id);
  }

  return {
    submit,
    async run(request) {
      const submitted = await submit(request);
      return runner.wait(submitted.id);
    },
    wait: (id, options) => runner.wait(id, options),
    get,
    async list(query = {}) {
      const records = await tasks.list({
        limit: query.limit ?? 50,
        ...(query.status ? { status: query.status } : {}),
        ...(query.before ? { before: query.before } : {}),
        ...(query.tenant !== undefined
          ? { tenant: { name: query.tenant, includeUntenanted: query.tenant === deps.defaultTenant } }
          : {}),
      });
      return Promise.all(records.map((r) => get(r.id)));
    },
    tenantOf,
    async cancel(id, actor) {
      const before = await get(id);
      await runner.cancel(id);
      const after = await get(id);
      if (after.status !== before.status) {
        await recordChange(deps, {
          actor,
          action: 'task.cancel',
          target: id,
          tenant: await tenantOf(id),
          details: { from: before.status },
        });
      }
      return after;
    },
    events: (id, options = {}) => runner.events(id, options),
    async spans(id) {
      await get(id);
      await tracer.flush();
      return deps.traces.listByTask(id);
    },
    async listInterrupted() {
      const interrupted = await runner.listInterrupted();
      return Promise.all(
        interrupted.map(async ({ task, notAdopted }) => ({
          task: await get(task.id),
          notAdopted,
          configPath: task.origin?.configPath ?? null,
        })),
      );
    },
    async resume(id, options = {}, actor) {
      const before = await get(id);
      await runner.resume(id, options);
      await recordChange(deps, {
        actor,
        action: 'task.resume',
        target: id,
        tenant: null,
        details: { from: before.status, force: options.force === true },
      });
      return get(id);
    },
    remove: (id, actor) => deps.retention.remove(id, actor),
    prune: (request, actor, control) => deps.retention.prune(request, actor, control),
    applyRetention: () => deps.applyRetention(),
    async resumeInterrupted({ watch = false } = {}) {
      const ids = await runner.resumeInterrupted();
      if (watch) runner.watchInterrupted();
      return ids;
    },
  };
}
