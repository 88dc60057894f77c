import { z } from 'zod';
import { LIVE_ONLY_EVENTS } from '../core/events.js';
import type { TaskEvent } from '../core/events.js';
import { defineStreamOperation } from './define-operation.js';

/** A task's events: past ones first, then live ones until the task ends. */
export const taskEvents = defineStreamOperation({
  name: 'tasks.events',
  description:
    'Server-sent events of a task: task-start, step-start, text-delta, step-restart (a model call that had streamed text is tried again: drop the text streamed for that step so far), step-end, agent-progress (what a foreign agent reports: a LangGraph node, an Agents SDK tool call, a process agent progress line), agent-end, review-requested (the task waits for a human), review-answered, task-end, task-error. Past events are replayed (after Last-Event-ID or ?after=), then live ones follow until the task ends (a waiting task keeps the stream open). Text deltas and step restarts are live only.',
  input: z.strictObject({ id: z.string().min(1), after: z.coerce.number().int().min(0).default(0) }),
  permission: 'tasks.read',
  tenancy: 'task',
  http: { method: 'GET', path: '/v1/tasks/:id/events' },
  async *stream(runtime, { id, after }, signal) {
    for await (const event of runtime.tasks.events(id, { afterSeq: after, signal })) {
      yield toSse(event);
    }
  },
});

function toSse(event: TaskEvent): { event: string; id?: string; data: unknown } {
  return LIVE_ONLY_EVENTS.has(event.type)
    ? { event: event.type, data: event.data }
    : { event: event.type, id: String(event.seq), data: event.data };
}
