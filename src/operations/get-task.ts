import { defineOperation } from './define-operation.js';
import { TaskIdInputSchema, TaskResultSchema } from './schemas.js';

/** One task's result (also while it runs). */
export const getTask = defineOperation({
  name: 'tasks.get',
  description: 'Get a task: status, output or error, cost, counts, timings.',
  input: TaskIdInputSchema,
  output: TaskResultSchema,
  permission: 'tasks.read',
  tenancy: 'task',
  http: { method: 'GET', path: '/v1/tasks/:id' },
  handler: (runtime, { id }) => runtime.tasks.get(id),
});
