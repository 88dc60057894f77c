import { z } from 'zod';
import { acceptedTaskInput, TaskInputSchema } from '../runtime/index.js';
import { defineOperation } from './define-operation.js';
import { TaskResultSchema } from './schemas.js';

/** Submits a task; with `wait`, answers with the finished result. */
export const createTask = defineOperation({
  name: 'tasks.create',
  description:
    'Submit a task: a prompt, optionally an agent spec or a team spec and a model id. Returns 202 with the task; with wait=true, waits and returns 200 with the final result.',
  input: z
    .intersection(
      TaskInputSchema,
      // Strict too: an intersection reports a key only when both sides reject it.
      z.strictObject({
        wait: z
          .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
          .optional()
          .describe('Wait for the task to finish (query parameter)'),
      }),
      // The request is validated here, at the boundary, and not again by the task service.
    )
    .transform(({ wait, ...task }) => ({ wait, task: acceptedTaskInput(task) })),
  output: TaskResultSchema,
  permission: 'write',
  http: {
    method: 'POST',
    path: '/v1/tasks',
    // A waited-for task is finished, so it is no longer merely accepted.
    status: { of: ({ wait }) => (wait ? 200 : 202), all: [200, 202] },
    query: ['wait'],
    errors: {
      503: 'The run queue is full (task.queue_full): try again after the seconds in the Retry-After header',
    },
  },
  async handler(runtime, { wait, task }) {
    const submitted = await runtime.tasks.submit(task);
    return wait ? runtime.tasks.wait(submitted.id) : submitted;
  },
});
