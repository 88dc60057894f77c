import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { TaskResultSchema, TaskStatusSchema } from './schemas.js';

/** Lists tasks, newest first. */
export const listTasks = defineOperation({
  name: 'tasks.list',
  description: 'List tasks, newest first; filter by status; page with `before` (the last id seen).',
  input: z.strictObject({
    status: z
      .union([TaskStatusSchema, z.array(TaskStatusSchema)])
      .optional()
      .transform((s) => (s === undefined ? undefined : Array.isArray(s) ? s : [s]))
      .describe('only tasks with this status'),
    tenant: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('only the tasks of this tenant (default: every tenant’s; a tenant-bound key: its own)'),
    limit: z.coerce.number().int().min(1).max(500).default(50).describe('how many'),
    before: z
      .string()
      .optional()
      .describe('the next page: tasks older than this task id (the last one seen)'),
  }),
  output: z.object({ tasks: z.array(TaskResultSchema), next: z.string().nullable() }),
  permission: 'tasks.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/tasks' },
  async handler(runtime, input) {
    const tasks = await runtime.tasks.list({
      limit: input.limit,
      ...(input.status ? { status: input.status } : {}),
      ...(input.before ? { before: input.before } : {}),
      ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
    });
    return { tasks, next: tasks.length === input.limit ? (tasks.at(-1)?.id ?? null) : null };
  },
});
