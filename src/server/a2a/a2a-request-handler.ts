import { randomUUID } from 'node:crypto';
import type {
  AgentCard,
  CancelTaskRequest,
  GetTaskRequest,
  ListTasksRequest,
  ListTasksResponse,
  Message,
  SendMessageRequest,
  StreamResponse,
  Task,
  TaskPushNotificationConfig,
} from '@a2a-js/sdk';
import {
  ContentTypeNotSupportedError,
  ExtendedAgentCardNotConfiguredError,
  PushNotificationNotSupportedError,
  RequestMalformedError,
  TaskNotCancelableError,
  TaskNotFoundError,
} from '@a2a-js/sdk/errors';
import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import { AgentdError } from '../../core/errors.js';
import {
  cancelTask,
  createTask,
  getTask,
  invokeOperation,
  invokeStreamOperation,
  listTasks,
  taskEvents,
} from '../../operations/index.js';
import type { Actor } from '../../operations/index.js';
import type { Runtime } from '../../runtime/index.js';
import { credentialOf } from '../../security/index.js';
import type { A2aContexts } from './a2a-contexts.js';
import { agentdStatusesOf, toA2aTask } from './a2a-task-view.js';
import type { AgentdTask } from './a2a-task-view.js';

/** A blocking SendMessage waits at most this long (tasks.create's own limit), then answers the task as it is. */
const MAX_WAIT_S = 3600;
/** How much of the earlier conversation a follow-up's prompt carries. */
const MAX_HISTORY_CHARS = 60_000;

/**
 * The A2A methods on agentd's operations, for one request's actor: every call goes through
 * `invokeOperation`, so the actor's permissions and tenant apply exactly as on the HTTP API.
 */
export class AgentdA2aHandler implements A2ARequestHandler {
  constructor(
    private readonly runtime: Runtime,
    private readonly actor: Actor,
    private readonly card: AgentCard,
    private readonly contexts: A2aContexts,
  ) {}

  /** The card this server publishes. */
  getAgentCard(): Promise<AgentCard> {
    return Promise.resolve(this.card);
  }

  /** No extended card: the public one says everything. */
  getAuthenticatedExtendedAgentCard(): Promise<AgentCard> {
    return Promise.reject(new ExtendedAgentCardNotConfiguredError('agentd publishes no extended agent card'));
  }

  /** Starts a task from the message; waits for it unless `returnImmediately`. */
  async sendMessage(params: SendMessageRequest): Promise<Message | Task> {
    const { contextId, userText, prompt } = await this.admitMessage(params);
    const wait = params.configuration?.returnImmediately !== true;
    const task = await this.call(() =>
      invokeOperation(
        this.runtime,
        createTask,
        { prompt, ...(wait ? { wait: true, timeout: MAX_WAIT_S } : {}) },
        this.actor,
      ),
    );
    this.contexts.record(contextId, credentialOf(this.actor), { taskId: task.id, userText });
    return toA2aTask(task, contextId, userText, { historyLength: params.configuration?.historyLength });
  }

  /** Starts a task and streams its progress until it ends or waits for a human. */
  async *sendMessageStream(params: SendMessageRequest): AsyncGenerator<StreamResponse, void, undefined> {
    const { contextId, userText, prompt } = await this.admitMessage(params);
    const task = await this.call(() => invokeOperation(this.runtime, createTask, { prompt }, this.actor));
    this.contexts.record(contextId, credentialOf(this.actor), { taskId: task.id, userText });
    yield* this.follow(task, contextId, userText);
  }

  /** One task, if the actor may read it. */
  async getTask(params: GetTaskRequest): Promise<Task> {
    const task = await this.call(() => invokeOperation(this.runtime, getTask, { id: params.id }, this.actor));
    return this.view(task, { historyLength: params.historyLength });
  }

  /** The actor's tasks, newest first; a `contextId` lists that conversation's tasks. */
  async listTasks(params: ListTasksRequest): Promise<ListTasksResponse> {
    const pageSize = Math.min(Math.max(params.pageSize ?? 50, 1), 100);
    // TASK_STATE_UNSPECIFIED (0) is no filter.
    const wanted = params.status ? agentdStatusesOf(params.status) : null;
    const after = params.statusTimestampAfter ? Date.parse(params.statusTimestampAfter) : Number.NaN;
    const options = { historyLength: params.historyLength, artifacts: params.includeArtifacts === true };
    let tasks: AgentdTask[];
    let next: string | null = null;
    if (params.contextId) {
      const ids = this.contexts.tasksOf(params.contextId, credentialOf(this.actor)).reverse();
      tasks = await Promise.all(
        ids.map((id) => this.call(() => invokeOperation(this.runtime, getTask, { id }, this.actor))),
      );
    } else if (wanted && wanted.length === 0) {
      tasks = [];
    } else {
      const page = await this.call(() =>
        invokeOperation(
          this.runtime,
          listTasks,
          {
            limit: pageSize,
            ...(wanted ? { status: wanted } : {}),
            ...(params.pageToken ? { before: params.pageToken } : {}),
          },
          this.actor,
        ),
      );
      tasks = page.tasks;
      next = page.next;
    }
    const kept = tasks
      .filter((t) => wanted === null || wanted.includes(t.status))
      .filter((t) => Number.isNaN(after) || (t.timings.finishedAt ?? t.timings.createdAt) >= after);
    return {
      tasks: kept.map((t) => this.view(t, options)),
      nextPageToken: next ?? '',
      pageSize,
      // agentd pages by cursor and does not count the whole list: this is the size of this page.
      totalSize: kept.length,
    };
  }

  /** Cancels a task; a finished one cannot be (`task.finished` from the operation). */
  async cancelTask(params: CancelTaskRequest): Promise<Task> {
    const task = await this.call(() =>
      invokeOperation(this.runtime, cancelTask, { id: params.id }, this.actor),
    );
    return this.view(task);
  }

  /** Follows a task's events again (SubscribeToTask). */
  async *resubscribe(params: { id: string }): AsyncGenerator<StreamResponse, void, undefined> {
    const task = await this.call(() => invokeOperation(this.runtime, getTask, { id: params.id }, this.actor));
    yield* this.follow(task, this.contexts.contextOf(task.id) ?? task.id, this.userText(task));
  }

  /** Push notifications are not offered (the card says so). */
  createTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  /** Push notifications are not offered. */
  getTaskPushNotificationConfig(): Promise<TaskPushNotificationConfig> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  /** Push notifications are not offered. */
  listTaskPushNotificationConfigs(): Promise<never> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  /** Push notifications are not offered. */
  deleteTaskPushNotificationConfig(): Promise<void> {
    return Promise.reject(new PushNotificationNotSupportedError());
  }

  /** The task first, then a status update per step, then its artifact and final status. */
  private async *follow(
    task: AgentdTask,
    contextId: string,
    userText: string,
  ): AsyncGenerator<StreamResponse, void, undefined> {
    yield { payload: { $case: 'task', value: toA2aTask(task, contextId, userText) } };
    if (isFinal(task.status)) return;
    const controller = new AbortController();
    try {
      const events = invokeStreamOperation(
        this.runtime,
        taskEvents,
        { id: task.id },
        this.actor,
        controller.signal,
      );
      let working = task.status === 'running';
      for await (const { event } of events) {
        if (event === 'step-start' && !working) {
          working = true;
          const now = await this.current(task.id);
          yield statusUpdate(now, contextId, userText);
        }
        if (event === 'review-requested' || event === 'task-end' || event === 'task-error') {
          const now = await this.current(task.id);
          const view = toA2aTask(now, contextId, userText);
          for (const artifact of view.artifacts) {
            yield {
              payload: {
                $case: 'artifactUpdate',
                value: {
                  taskId: now.id,
                  contextId,
                  artifact,
                  append: false,
                  lastChunk: true,
                  metadata: undefined,
                },
              },
            };
          }
          yield statusUpdate(now, contextId, userText);
          // A task waiting for a human is interrupted: the stream ends, as A2A asks.
          if (event === 'review-requested' || isFinal(now.status)) return;
        }
      }
    } finally {
      controller.abort();
    }
  }

  private current(id: string): Promise<AgentdTask> {
    return this.call(() => invokeOperation(this.runtime, getTask, { id }, this.actor));
  }

  private view(
    task: AgentdTask,
    options: { historyLength?: number | undefined; artifacts?: boolean } = {},
  ): Task {
    return toA2aTask(task, this.contexts.contextOf(task.id) ?? task.id, this.userText(task), options);
  }

  private userText(task: AgentdTask): string {
    return this.contexts.userTextOf(task.id) ?? task.prompt;
  }

  /** The message's text and the prompt it becomes: a follow-up carries the earlier exchanges. */
  private async admitMessage(params: SendMessageRequest): Promise<{
    contextId: string;
    userText: string;
    prompt: string;
  }> {
    const message = params.message;
    if (!message) throw new RequestMalformedError('SendMessage needs a message');
    const userText = messageText(message);
    if (userText.trim().length === 0) throw new RequestMalformedError('the message has no text');
    const contextId = message.contextId || randomUUID();
    if (this.contexts.isForeign(contextId, credentialOf(this.actor))) {
      throw new RequestMalformedError(`context ${contextId} belongs to another client`);
    }
    return { contextId, userText, prompt: await this.promptFor(contextId, userText) };
  }

  private async promptFor(contextId: string, userText: string): Promise<string> {
    const previous = this.contexts.previous(contextId, credentialOf(this.actor));
    if (previous.length === 0) return userText;
    // Re-read the earlier results: a task may have finished since, and the actor must still be
    // allowed to see them. Newest exchanges are kept when the history is too long.
    const lines: string[] = [];
    let size = 0;
    for (const exchange of [...previous].reverse()) {
      const earlier = await this.current(exchange.taskId);
      const answer = earlier.output ?? `(no answer: the task is ${earlier.status})`;
      const block = `User: ${exchange.userText}\nYou: ${answer}`;
      if (size + block.length > MAX_HISTORY_CHARS) break;
      size += block.length;
      lines.unshift(block);
    }
    return [
      'This message continues an earlier conversation. The conversation so far:',
      '',
      lines.join('\n\n'),
      '',
      'The new message:',
      userText,
    ].join('\n');
  }

  /** Runs an operation; agentd's "not found" becomes A2A's TaskNotFoundError. */
  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AgentdError && error.code.endsWith('.not_found')) {
        throw new TaskNotFoundError(error.message);
      }
      if (error instanceof AgentdError && error.code === 'task.finished') {
        throw new TaskNotCancelableError(error.message);
      }
      // The caller's own mistake (a prompt over the limit) is invalid params (-32602), not -32603.
      if (error instanceof AgentdError && error.category === 'invalid') {
        throw new RequestMalformedError(`${error.code}: ${error.message}`);
      }
      if (error instanceof AgentdError) throw new Error(`${error.code}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

function isFinal(status: AgentdTask['status']): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

function statusUpdate(task: AgentdTask, contextId: string, userText: string): StreamResponse {
  const view = toA2aTask(task, contextId, userText);
  return {
    payload: {
      $case: 'statusUpdate',
      value: { taskId: task.id, contextId, status: view.status, metadata: view.metadata },
    },
  };
}

/** The text of a message: text parts as they are, data parts as JSON; files are not accepted. */
function messageText(message: Message): string {
  const pieces: string[] = [];
  for (const part of message.parts) {
    const content = part.content;
    if (content?.$case === 'text') pieces.push(content.value);
    else if (content?.$case === 'data') pieces.push(JSON.stringify(content.value));
    else {
      throw new ContentTypeNotSupportedError(
        `agentd accepts text and data parts only, not ${content?.$case ?? 'empty'} parts`,
      );
    }
  }
  return pieces.join('\n');
}
