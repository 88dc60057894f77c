import { AgentdError } from '../core/errors.js';
import '../executor/executor-error-codes.js';
import { defineOperation } from './define-operation.js';
import { TaskIdInputSchema, TaskResultSchema } from './schemas.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** Cancels a queued, running or waiting task; in-flight model calls are aborted. */
export const cancelTask = defineOperation({
  name: 'tasks.cancel',
  description:
    'Cancel a queued, running or waiting task (in-flight model calls are aborted, pending reviews closed). A task that has already finished is refused with 409 task.finished.',
  input: TaskIdInputSchema,
  output: TaskResultSchema,
  permission: 'tasks.write',
  tenancy: 'task',
  http: {
    method: 'POST',
    path: '/v1/tasks/:id/cancel',
    maxBodyBytes: 4 * 1024,
    errors: { 409: 'The task has already finished (task.finished)' },
  },
  async handler(runtime, { id }, actor) {
    // Checked before cancelling: a cancel that reports success on a finished task misleads
    // the caller into thinking the work stopped early.
    const before = await runtime.tasks.get(id);
    if (FINISHED.has(before.status)) throw alreadyFinished(id, before.status);
    const task = await runtime.tasks.cancel(id, actor);
    // It finished on its own between the check and the cancel.
    if (task.status !== 'cancelled') throw alreadyFinished(id, task.status);
    return task;
  },
});

function alreadyFinished(id: string, status: string): AgentdError {
  return new AgentdError({
    code: 'task.finished',
    message: `task ${id} already ${status}; only a queued, running or waiting task can be cancelled`,
    details: { id, status },
  });
}
