import { z } from 'zod';
import { isRubricName } from '../judge/index.js';
import { acceptedTaskInput, TaskInputSchema } from '../runtime/index.js';
import { LIVE_ONLY_EVENTS } from '../core/events.js';
import type { TaskEvent } from '../core/events.js';
import type { Runtime } from '../runtime/index.js';
import { defineOperation } from './define-operation.js';
import type { ProgressUpdate } from './define-operation.js';
import { TaskResultSchema } from './schemas.js';

const DEFAULT_WAIT_S = 30;
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

/** The task's stored events as progress: one count per event, saying what happened. */
async function reportProgress(
  runtime: Runtime,
  id: string,
  progress: (update: ProgressUpdate) => void,
  signal: AbortSignal,
): Promise<void> {
  let count = 0;
  try {
    for await (const event of runtime.tasks.events(id, { signal })) {
      if (LIVE_ONLY_EVENTS.has(event.type)) continue;
      count += 1;
      progress({ progress: count, message: describeEvent(event) });
    }
  } catch {
    // Following ends when the wait does (an abort), or if the event feed fails: progress is a
    // courtesy, and the wait's answer reports the task's real state either way.
  }
}

function describeEvent(event: TaskEvent): string {
  switch (event.type) {
    case 'step-start':
      return `${event.data.agent}: ${event.data.kind} call ${event.data.name}`;
    case 'step-end':
      return `${event.data.agent}: step ${event.data.step} done`;
    default:
      return event.type;
  }
}

/** Submits a task; with `wait`, answers with the finished result (or the task, if it waits for a human). */
export const createTask = defineOperation({
  name: 'tasks.create',
  description:
    'Submit a task: a prompt, optionally an agent spec or a team spec and a model id. Returns 202 with the task; with wait=true, waits up to timeout seconds (default 30) and returns 200 with the final result, or 202 with the task as it is when it waits for a human or the time is up.',
  input: z
    .intersection(
      TaskInputSchema,
      // Strict too: an intersection reports a key only when both sides reject it.
      z.strictObject({
        wait: z
          .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
          .optional()
          .describe('Wait for the task to finish (query parameter)'),
        timeout: z
          .union([
            z.number(),
            z
              .string()
              .regex(/^\d+(\.\d+)?$/)
              .transform(Number),
          ])
          .pipe(z.number().positive().max(3600))
          .optional()
          .describe('With wait: seconds to wait at most (default 30, at most 3600) before answering 202'),
      }),
      // The request is validated here, at the boundary, and not again by the task service.
    )
    // Over the network a rubric is inline or a name in quality.rubricDir: never a path on the
    // server (a path would let a caller make agentd open any file it can read).
    .superRefine((request, ctx) => {
      const named: [unknown, string[]][] = [
        [request.quality?.rubric, ['quality', 'rubric']],
        [request.calibrate?.rubric, ['calibrate', 'rubric']],
      ];
      for (const [rubric, path] of named) {
        if (typeof rubric === 'string' && !isRubricName(rubric)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message:
              'must be a rubric inline, or the name of a rubric in the rubric folder (quality.rubricDir), ' +
              'not a file path',
          });
        }
      }
    })
    .transform(({ wait, timeout, ...task }) => ({ wait, timeout, task: acceptedTaskInput(task) })),
  output: TaskResultSchema,
  permission: 'tasks.write',
  tenancy: 'field',
  http: {
    method: 'POST',
    path: '/v1/tasks',
    // A finished task is no longer merely accepted; one that waits for a human, or ran past the
    // timeout, still is.
    status: {
      of: (_input, output) => (FINISHED.has((output as { status: string }).status) ? 200 : 202),
      all: [200, 202],
    },
    query: ['wait', 'timeout'],
    // A waited request bounds itself by its own `timeout` (at most an hour), then answers 202.
    timeLimitMs: 3_600_000 + 5_000,
    errors: {
      503: 'The run queue is full (task.queue_full): try again after the seconds in the Retry-After header',
    },
  },
  async handler(runtime, { wait, timeout, task }, actor, context = {}) {
    const submitted = await runtime.tasks.submit(task, actor);
    if (!wait) return submitted;
    // A caller that cancels its waited request (MCP) cancels the task it started.
    const cancel = () => void runtime.tasks.cancel(submitted.id, actor);
    context.cancelled?.addEventListener('abort', cancel, { once: true });
    const following = new AbortController();
    if (context.progress) void reportProgress(runtime, submitted.id, context.progress, following.signal);
    try {
      // Never without limit: a task may wait for a human for days.
      return await runtime.tasks.wait(submitted.id, {
        untilWaiting: true,
        // Whole milliseconds, at least one (AbortSignal.timeout refuses less).
        signal: AbortSignal.timeout(Math.max(1, Math.round((timeout ?? DEFAULT_WAIT_S) * 1000))),
      });
    } finally {
      following.abort();
      context.cancelled?.removeEventListener('abort', cancel);
    }
  },
});
