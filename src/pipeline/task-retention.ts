import { join } from 'node:path';
import type { Clock } from '../core/clock.js';
import { AgentdError, notFound } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { Logger } from '../core/logger.js';
import { countOf } from '../core/plural.js';
import type { AgentdConfig } from '../config/index.js';
import { removeWorkspace, workspaceSize } from '../security/index.js';
import type { Actor } from '../security/index.js';
import type { AuditStore } from '../store/audit-store.js';
import { FINISHED_TASK_STATUSES } from '../store/task-store.js';
import type { FinishedTaskStatus, TaskDeletion, TaskRecord, TaskStore } from '../store/task-store.js';
import { recordChange } from './audit-log.js';
import '../executor/executor-error-codes.js';

/** Tasks pruned per read of the store: memory stays flat however many tasks go. */
const BATCH = 100;
/** The most tasks a prune's result lists (the counts cover all of them). */
export const MAX_LISTED_TASKS = 1_000;

/** A task a prune removed (or, in a dry run, would remove). */
export interface PrunedTask {
  id: string;
  status: FinishedTaskStatus;
  finishedAt: number;
  /** The start of its prompt, on one line. */
  prompt: string;
  /** The size of its workspace's files. */
  bytes: number;
}

/** What a prune did (or would do). */
export interface PruneReport {
  dryRun: boolean;
  /** Tasks finished before this time (ms) were eligible. */
  finishedBefore: number;
  /** Tasks removed (0 in a dry run). */
  removed: number;
  /** Bytes of workspace files removed (in a dry run: that would be). */
  bytesFreed: number;
  /** The first {@link MAX_LISTED_TASKS} tasks removed, or listed in a dry run, oldest first. */
  tasks: PrunedTask[];
  /** Whether more tasks than listed were removed (or would be). */
  truncated: boolean;
  /** Tasks that could not be removed, with why (the prune went on with the others). */
  failed: { id: string; message: string }[];
}

/** What deleting one task removed. */
export interface TaskRemoval {
  id: string;
  status: FinishedTaskStatus;
  bytesFreed: number;
  workingNotes: number;
  rows: TaskDeletion;
}

/** How a prune is asked for. */
export interface PruneRequest {
  /** Finished tasks older than this (ms since they finished) go. */
  olderThanMs: number;
  /** Only tasks with these statuses (default: every finished one). */
  status?: readonly FinishedTaskStatus[];
  /** List what would go, and remove nothing. */
  dryRun?: boolean;
}

/** What a long prune reports as it goes, and how it is stopped. */
export interface PruneControl {
  signal?: AbortSignal;
  /** Called after each task: how many so far, and which. */
  progress?(done: number, message: string): void;
}

/** Deleting finished tasks: one by id, a prune by age, and the configured retention. */
export interface TaskRetention {
  /**
   * Deletes a finished task: its working notes, its workspace folder (confined to the workspaces
   * folder), then in one store transaction the task with its journal, events, spans, reviews and
   * verdicts; its cost rows stay, marked pruned. Throws `task.not_found`, or `task.not_finished`.
   */
  remove(id: string, actor?: Actor): Promise<TaskRemoval>;
  /** Removes (or lists, `dryRun`) finished tasks older than `olderThanMs`, oldest first. */
  prune(request: PruneRequest, actor?: Actor, control?: PruneControl): Promise<PruneReport>;
  /**
   * Applies `executor.retention` now and every `checkEvery` until the returned stop is called
   * (which waits for a prune under way). Does nothing when retention is off.
   */
  schedule(): () => Promise<void>;
}

/** Dependencies of {@link createTaskRetention}. */
export interface TaskRetentionDependencies {
  tasks: TaskStore;
  audit: AuditStore;
  clock: Clock;
  logger: Logger;
  /** agentd's data folder: workspaces are `<home>/workspaces/<task id>`. */
  home: string;
  /** Deletes a task's working notes; returns how many. */
  dropWorkingNotes(tenant: string, taskId: string): Promise<number>;
  /** The tenant of a task that names none. */
  defaultTenant: string;
  retention: AgentdConfig['executor']['retention'];
}

/** Creates the retention service over the task store, the workspaces folder and working memory. */
export function createTaskRetention(deps: TaskRetentionDependencies): TaskRetention {
  const { tasks, clock, logger } = deps;
  const workspaces = join(deps.home, 'workspaces');

  const tenantOf = (task: TaskRecord): string => {
    const input = task.input;
    const named =
      typeof input === 'object' && input !== null && !Array.isArray(input) ? input['tenant'] : undefined;
    return typeof named === 'string' ? named : deps.defaultTenant;
  };

  /**
   * Crash safety: the steps run in this order, and the task row goes last, in the transaction that
   * deletes its records. A process that dies part-way leaves the task listed (its notes or folder
   * maybe gone already), and the next prune or delete finishes it; never a journal without its task.
   */
  async function removeRecord(task: TaskRecord): Promise<TaskRemoval> {
    const workingNotes = await deps.dropWorkingNotes(tenantOf(task), task.id);
    const { bytes } = await removeWorkspace(workspaces, task.id);
    const rows = await tasks.deleteFinished(task.id, clock.now());
    if (rows === null) throw notFound('task', task.id);
    return { id: task.id, status: task.status as FinishedTaskStatus, bytesFreed: bytes, workingNotes, rows };
  }

  async function remove(id: string, actor?: Actor): Promise<TaskRemoval> {
    const task = await tasks.get(id);
    if (!task) throw notFound('task', id);
    if (!(FINISHED_TASK_STATUSES as readonly string[]).includes(task.status)) {
      throw new AgentdError({
        code: 'task.not_finished',
        message: `task ${id} is ${task.status}; only a finished (succeeded, failed or cancelled) task can be deleted — cancel it first`,
        details: { id, status: task.status },
      });
    }
    const removal = await removeRecord(task);
    await recordChange(deps, {
      actor,
      action: 'task.delete',
      target: id,
      tenant: tenantOf(task),
      details: { status: task.status, bytesFreed: removal.bytesFreed, ...removal.rows },
    });
    return removal;
  }

  async function prune(
    request: PruneRequest,
    actor?: Actor,
    control: PruneControl = {},
  ): Promise<PruneReport> {
    const finishedBefore = clock.now() - request.olderThanMs;
    const status = request.status && request.status.length > 0 ? request.status : undefined;
    const report: PruneReport = {
      dryRun: request.dryRun === true,
      finishedBefore,
      removed: 0,
      bytesFreed: 0,
      tasks: [],
      truncated: false,
      failed: [],
    };
    const list = (limit: number) =>
      tasks.listFinishedBefore({ finishedBefore, limit, ...(status ? { status } : {}) });
    const note = (task: TaskRecord, bytes: number) => {
      if (report.tasks.length >= MAX_LISTED_TASKS) {
        report.truncated = true;
        return;
      }
      report.tasks.push({
        id: task.id,
        status: task.status as FinishedTaskStatus,
        finishedAt: task.finishedAt ?? task.createdAt,
        prompt: task.prompt.replace(/\s+/g, ' ').slice(0, 80),
        bytes,
      });
    };

    if (report.dryRun) {
      // Nothing is deleted, so the store cannot be paged by deleting: the listing stops at the cap.
      const found = await list(MAX_LISTED_TASKS + 1);
      for (const task of found.slice(0, MAX_LISTED_TASKS)) {
        const bytes = await workspaceSize(workspaces, task.id);
        report.bytesFreed += bytes;
        note(task, bytes);
      }
      report.truncated = found.length > MAX_LISTED_TASKS;
      return report;
    }

    const failedIds = new Set<string>();
    for (;;) {
      // The oldest tasks still there; those that failed once are not retried in this prune.
      const batch = (await list(BATCH + failedIds.size)).filter((task) => !failedIds.has(task.id));
      if (batch.length === 0) break;
      for (const task of batch) {
        if (control.signal?.aborted) break;
        try {
          const removal = await removeRecord(task);
          report.removed += 1;
          report.bytesFreed += removal.bytesFreed;
          note(task, removal.bytesFreed);
          control.progress?.(report.removed, `removed ${task.id}`);
        } catch (error) {
          // Removed meanwhile by another prune: not a failure, and gone from the next batch anyway.
          if (error instanceof AgentdError && error.code === 'task.not_found') continue;
          failedIds.add(task.id);
          report.failed.push({
            id: task.id,
            message: error instanceof Error ? error.message : String(error),
          });
        }
      }
      if (control.signal?.aborted) break;
    }
    // One audit event per prune, not per task: a prune of thousands must not flood the audit log.
    if (report.removed > 0 || report.failed.length > 0) {
      await recordChange(deps, {
        actor,
        action: 'tasks.prune',
        target: 'tasks',
        tenant: null,
        details: {
          olderThanMs: request.olderThanMs,
          status: status ? [...status] : [...FINISHED_TASK_STATUSES],
          removed: report.removed,
          bytesFreed: report.bytesFreed,
          failed: report.failed.length,
        },
      });
    }
    return report;
  }

  function schedule(): () => Promise<void> {
    const { finishedTasks, checkEvery } = deps.retention;
    const olderThanMs = finishedTasks === 'off' ? undefined : parseDuration(finishedTasks);
    const everyMs = parseDuration(checkEvery);
    if (olderThanMs === undefined || everyMs === undefined) return async () => {};
    const stopping = new AbortController();
    let running: Promise<void> | undefined;
    const run = () => {
      if (running) return;
      running = prune({ olderThanMs }, undefined, { signal: stopping.signal })
        .then((report) => {
          if (report.removed > 0 || report.failed.length > 0)
            logger.info(
              `retention: pruned ${countOf(report.removed, 'finished task')} older than ${finishedTasks}`,
              {
                removed: report.removed,
                bytesFreed: report.bytesFreed,
                failed: report.failed.length,
              },
            );
        })
        .catch((error: unknown) =>
          logger.error('retention: prune failed; it is retried at the next check', {
            reason: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => (running = undefined));
    };
    run();
    const timer = setInterval(run, everyMs);
    timer.unref();
    return async () => {
      clearInterval(timer);
      stopping.abort();
      await running;
    };
  }

  return { remove, prune, schedule };
}
