import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { TaskResultSchema } from './schemas.js';

/** Resumes a task whose process is gone (killed or crashed mid-run) in this process. */
export const resumeTask = defineOperation({
  name: 'tasks.resume',
  description:
    'Resume a task whose process is gone (it was left `running` by a killed or crashed process): this process takes it over; completed steps replay from the journal. Refused (409) for a task that is not interrupted, or that was started with another config unless `force`.',
  input: z.strictObject({
    id: z.string().min(1).max(200).describe('task id'),
    force: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .optional()
      .describe('resume it even if it was started with another config (this config runs it)'),
  }),
  output: TaskResultSchema,
  permission: 'tasks.write',
  tenancy: 'task',
  http: {
    method: 'POST',
    path: '/v1/tasks/:id/resume',
    maxBodyBytes: 4 * 1024,
    errors: {
      409: 'The task is not interrupted (task.not_interrupted), or was started with another config (task.config_mismatch)',
    },
  },
  handler: (runtime, { id, force }, actor) =>
    runtime.tasks.resume(id, force === undefined ? {} : { force }, actor),
});
