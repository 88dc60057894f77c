import { defineOperation } from './define-operation.js';
import { TaskIdInputSchema, TaskResultSchema } from './schemas.js';

/** Cancels a queued or running task; in-flight model calls are aborted. */
export const cancelTask = defineOperation({
  name: 'tasks.cancel',
  description:
    'Cancel a queued, running or waiting task (in-flight model calls are aborted, pending reviews closed). A finished task is returned unchanged.',
  input: TaskIdInputSchema,
  output: TaskResultSchema,
  permission: 'tasks.write',
  tenancy: 'task',
  http: { method: 'POST', path: '/v1/tasks/:id/cancel', maxBodyBytes: 4 * 1024 },
  handler: (runtime, { id }, actor) => runtime.tasks.cancel(id, actor),
});
