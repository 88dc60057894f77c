import { z } from 'zod';
import { AgentdError } from '../core/errors.js';
import '../executor/executor-error-codes.js';
import type { Runtime } from '../runtime/index.js';
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
    interrupted: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .optional()
      .describe(
        'only tasks whose process is gone (left running by a killed or crashed process), each with whether this process resumes it and if not why; status, limit and before do not apply',
      ),
  }),
  output: z.object({
    tasks: z.array(
      TaskResultSchema.extend({
        /** With `interrupted`: whether this process resumes it on its own, and if not why. */
        interruption: z
          .object({ adopted: z.boolean(), reason: z.string().nullable(), configPath: z.string().nullable() })
          .optional(),
      }),
    ),
    next: z.string().nullable(),
  }),
  permission: 'tasks.read',
  tenancy: 'field',
  http: { method: 'GET', path: '/v1/tasks' },
  async handler(runtime, input) {
    if (input.interrupted) {
      // A handful at most: not paged, and the status filter does not apply; the tenant one does.
      const all = await runtime.tasks.listInterrupted();
      const tenants = await Promise.all(all.map(({ task }) => runtime.tasks.tenantOf(task.id)));
      const interrupted = all.filter((_, i) => input.tenant === undefined || tenants[i] === input.tenant);
      return {
        tasks: interrupted.map(({ task, notAdopted, configPath }) => ({
          ...task,
          interruption: { adopted: notAdopted === null, reason: notAdopted, configPath },
        })),
        next: null,
      };
    }
    // A cursor naming no task would page to an empty list, which reads as "no more tasks".
    if (input.before !== undefined) await knownCursor(runtime, input.before);
    const tasks = await runtime.tasks.list({
      limit: input.limit,
      ...(input.status ? { status: input.status } : {}),
      ...(input.before ? { before: input.before } : {}),
      ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
    });
    return { tasks, next: tasks.length === input.limit ? (tasks.at(-1)?.id ?? null) : null };
  },
});

async function knownCursor(runtime: Runtime, before: string): Promise<void> {
  try {
    await runtime.tasks.tenantOf(before);
  } catch (error) {
    if (!(error instanceof AgentdError) || error.code !== 'task.not_found') throw error;
    throw new AgentdError({
      code: 'task.invalid',
      path: 'before',
      message: `before: no task ${before}; pass the \`next\` of the previous page, or leave it out for the first page`,
    });
  }
}
