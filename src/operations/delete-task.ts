import { z } from 'zod';
import '../executor/executor-error-codes.js';
import { defineOperation } from './define-operation.js';
import { TaskIdInputSchema } from './schemas.js';

/** Deletes one finished task with its journal, events, spans and workspace. */
export const deleteTask = defineOperation({
  name: 'tasks.delete',
  description:
    'Delete a finished task with its journal, events, spans, reviews, verdicts, working notes and workspace folder; its cost rows stay in the ledger, marked pruned (budgets still count them) and the audit log keeps its history. A queued, running or waiting task is refused with 409 task.not_finished.',
  input: TaskIdInputSchema,
  output: z.object({
    id: z.string(),
    deleted: z.literal(true),
    status: z.enum(['succeeded', 'failed', 'cancelled']),
    /** Bytes of workspace files removed. */
    bytesFreed: z.number(),
    /** Rows removed by kind (cost rows are kept and marked, not removed). */
    removed: z.object({
      events: z.number(),
      steps: z.number(),
      spans: z.number(),
      reviews: z.number(),
      verdicts: z.number(),
      workingNotes: z.number(),
      costRowsMarked: z.number(),
    }),
  }),
  permission: 'tasks.write',
  tenancy: 'task',
  http: {
    method: 'DELETE',
    path: '/v1/tasks/:id',
    errors: { 409: 'The task has not finished (task.not_finished): cancel it first' },
  },
  async handler(runtime, { id }, actor) {
    const removal = await runtime.tasks.remove(id, actor);
    return {
      id,
      deleted: true as const,
      status: removal.status,
      bytesFreed: removal.bytesFreed,
      removed: { ...removal.rows, workingNotes: removal.workingNotes },
    };
  },
});
