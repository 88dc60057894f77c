import type { ErrorCode } from '../core/errors.js';
import { AgentdError } from '../core/errors.js';
import './executor-error-codes.js';
import type { TaskRecord } from '../store/task-store.js';

/** Resolves when the signal aborts (never without one). */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => {});
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** The error for resuming a task that is not interrupted, saying what it is instead. */
export function notInterrupted(task: TaskRecord): AgentdError {
  const why =
    task.status === 'running'
      ? `is running (${task.owner ?? 'a live process'} holds its lease)`
      : task.status === 'waiting'
        ? 'waits for a human: answer its review (agentd reviews list)'
        : task.status === 'queued'
          ? 'was claimed by another process'
          : `has ${task.status === 'cancelled' ? 'been cancelled' : task.status}`;
  return new AgentdError({
    code: 'task.not_interrupted',
    message: `task ${task.id} ${why}; only a task whose process is gone can be resumed`,
    details: { taskId: task.id, status: task.status },
  });
}

/** The error a cancelled task records. */
export function cancelledError(): { code: ErrorCode; message: string } {
  return { code: 'task.cancelled', message: 'the task was cancelled' };
}

/** The abort reason of a cancelled task's run. */
export function cancelReason(): AgentdError {
  return new AgentdError(cancelledError());
}

/** The error for resuming a task another config started, without `force`. */
export function configMismatch(task: TaskRecord, notAdopted: string): AgentdError {
  return new AgentdError({
    code: 'task.config_mismatch',
    message: `task ${task.id} was ${notAdopted}: resume it from that project (agentd tasks resume ${task.id}), or pass --force to resume it with this config`,
    details: { taskId: task.id, configPath: task.origin?.configPath ?? null },
  });
}
