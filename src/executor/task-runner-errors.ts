import type { ErrorCode } from '../core/errors.js';
import { AgentdError } from '../core/errors.js';
import './executor-error-codes.js';
import type { ReviewRecord } from '../store/review-store.js';
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

/** The error for answering a review that can no longer be answered (closed, or answered before). */
export function notAnswerable(current: ReviewRecord): AgentdError {
  return current.status === 'cancelled'
    ? new AgentdError({
        code: 'review.closed',
        message: `review ${current.id} can no longer be answered: its task ${current.taskId} was cancelled`,
      })
    : new AgentdError({
        code: 'review.already_answered',
        message: `review ${current.id} was already answered (${current.answer?.decision ?? 'unknown'})`,
      });
}

/** The error for a task refused because the run queue is full. */
export function queueFullError(counts: { running: number; queued: number }, seconds: number): AgentdError {
  return new AgentdError({
    code: 'task.queue_full',
    message: `agentd is at capacity (${counts.running} tasks running, ${counts.queued} queued; executor.maxRunningTasks and executor.maxQueuedTasks): try again in ${seconds} s`,
    details: { retryAfterSeconds: seconds, running: counts.running, queued: counts.queued },
  });
}
