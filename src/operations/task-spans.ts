import { z } from 'zod';
import { defineOperation } from './define-operation.js';
import { TaskIdInputSchema } from './schemas.js';

const JsonValueSchema = z.json();

/** The spans of one task. */
export const taskSpans = defineOperation({
  name: 'tasks.spans',
  description: "A task's spans (task, agents, model calls, tool calls) with OpenTelemetry GenAI attributes.",
  input: TaskIdInputSchema,
  output: z.object({
    spans: z.array(
      z.object({
        spanId: z.string(),
        traceId: z.string(),
        parentSpanId: z.string().nullable(),
        taskId: z.string().nullable(),
        name: z.string(),
        kind: z.string(),
        startTime: z.number(),
        endTime: z.number(),
        status: z.enum(['ok', 'error']),
        statusMessage: z.string().nullable(),
        attributes: z.record(z.string(), JsonValueSchema),
      }),
    ),
  }),
  permission: 'tasks.read',
  tenancy: 'task',
  http: { method: 'GET', path: '/v1/tasks/:id/spans' },
  handler: async (runtime, { id }) => ({ spans: await runtime.tasks.spans(id) }),
});
