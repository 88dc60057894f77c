import { randomUUID } from 'node:crypto';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Message, Part, Task, TaskStatus } from '@a2a-js/sdk';
import type { z } from 'zod';
import type { TaskResultSchema } from '../../operations/index.js';

/** An agentd task as the operations report it. */
export type AgentdTask = z.infer<typeof TaskResultSchema>;

/** agentd's lifecycle onto A2A's: a task waiting on a human review needs input. */
const STATES: Record<AgentdTask['status'], TaskState> = {
  queued: TaskState.TASK_STATE_SUBMITTED,
  running: TaskState.TASK_STATE_WORKING,
  waiting: TaskState.TASK_STATE_INPUT_REQUIRED,
  succeeded: TaskState.TASK_STATE_COMPLETED,
  failed: TaskState.TASK_STATE_FAILED,
  cancelled: TaskState.TASK_STATE_CANCELED,
};

/** The agentd statuses of an A2A state (for list filters); empty when agentd has no such state. */
export function agentdStatusesOf(state: TaskState): AgentdTask['status'][] {
  return (Object.keys(STATES) as AgentdTask['status'][]).filter((status) => STATES[status] === state);
}

/** A text part. */
export function textPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    metadata: undefined,
    filename: '',
    mediaType: 'text/plain',
  };
}

/** A message of `role` in a task. */
export function a2aMessage(role: Role, text: string, taskId: string, contextId: string): Message {
  return {
    messageId: randomUUID(),
    contextId,
    taskId,
    role,
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** The status of an agentd task, with the agent's message saying what went wrong or what it waits on. */
export function a2aStatus(task: AgentdTask, contextId: string): TaskStatus {
  const finishedAt = task.timings.finishedAt ?? task.timings.startedAt ?? task.timings.createdAt;
  let note: string | undefined;
  if (task.status === 'succeeded' && task.output !== null) note = task.output;
  if ((task.status === 'failed' || task.status === 'cancelled') && task.error) {
    note = `${task.error.code}: ${task.error.message}`;
  }
  if (task.status === 'waiting' && task.reviews?.length) {
    note = `waiting for a human review: ${task.reviews.map((r) => `${r.question} (review ${r.id})`).join('; ')}`;
  }
  return {
    state: STATES[task.status],
    message: note === undefined ? undefined : a2aMessage(Role.ROLE_AGENT, note, task.id, contextId),
    timestamp: new Date(finishedAt).toISOString(),
  };
}

/** An agentd task as an A2A task: the user's message in its history, the output as its artifact. */
export function toA2aTask(
  task: AgentdTask,
  contextId: string,
  userText: string,
  options: { historyLength?: number | undefined; artifacts?: boolean } = {},
): Task {
  const status = a2aStatus(task, contextId);
  const history: Message[] = [a2aMessage(Role.ROLE_USER, userText, task.id, contextId)];
  if (status.message) history.push(status.message);
  const length = options.historyLength;
  return {
    id: task.id,
    contextId,
    status,
    artifacts:
      options.artifacts !== false && task.status === 'succeeded' && task.output !== null
        ? [
            {
              artifactId: `${task.id}-output`,
              name: 'output',
              description: 'The task output',
              parts: [textPart(task.output)],
              metadata: undefined,
              extensions: [],
            },
          ]
        : [],
    history: length === undefined ? history : length === 0 ? [] : history.slice(-length),
    metadata: {
      agentd: {
        status: task.status,
        costUsd: task.cost.usd,
        inputTokens: task.cost.inputTokens,
        outputTokens: task.cost.outputTokens,
        simulated: task.simulated,
      },
    },
  };
}
