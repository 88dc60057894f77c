import { notFound } from '../core/errors.js';
import type { TaskEvent } from '../core/events.js';
import { parseJson } from '../core/json.js';
import { validate } from '../core/validate.js';
import type { TaskResult, TaskRunner } from '../executor/index.js';
import type { TaskRecord, TaskStatus, TaskStore } from '../store/task-store.js';
import type { SpanRecord, TraceStore } from '../store/trace-store.js';
import type { Tracer } from '../trace/index.js';
import { parseTaskInput, TaskInputSchema } from './task-input.js';
import type { TaskRequest } from './task-input.js';
import type { TaskPlan, TaskPlanner } from './task-plan.js';
import '../executor/executor-error-codes.js';

/** Tasks as users see them: submit, follow, inspect, cancel. */
export interface TaskService {
  /**
   * Plans the task (its team, models, tools and checks, see TaskPlanner) and starts it; a request
   * that fails a check never becomes a task. The request is validated unless it already was.
   */
  submit(request: TaskRequest): Promise<TaskResult>;
  /** Submits and waits for the result. */
  run(request: TaskRequest): Promise<TaskResult>;
  /** Resolves when the task has finished (a waiting task keeps it waiting). */
  wait(id: string): Promise<TaskResult>;
  get(id: string): Promise<TaskResult>;
  list(query?: { status?: TaskStatus[]; limit?: number; before?: string }): Promise<TaskResult[]>;
  cancel(id: string): Promise<TaskResult>;
  /** Past events after `afterSeq`, then live ones, ending after the task's last event. */
  events(id: string, options?: { afterSeq?: number; signal?: AbortSignal }): AsyncIterable<TaskEvent>;
  spans(id: string): Promise<SpanRecord[]>;
  /**
   * Resumes tasks that a crashed or stopped process left `running`; with `watch`, keeps adopting
   * such tasks on every heartbeat. Returns the ids resumed now.
   */
  resumeInterrupted(options?: { watch?: boolean }): Promise<string[]>;
}

/** The task service and the hook its workflow uses to receive each task's plan. */
export interface TaskServiceParts {
  service: TaskService;
  /** The plan made when `task` was submitted here, or (for a task resumed here) a new one. */
  planOf(task: TaskRecord): TaskPlan;
}

/**
 * Creates the task service over a runner whose workflow is not built yet (the workflow needs
 * `planOf`, and the runner needs the workflow), hence `runner()`.
 */
export function createTaskService(deps: {
  runner: () => TaskRunner;
  planner: TaskPlanner;
  tasks: TaskStore;
  traces: TraceStore;
  tracer: Tracer;
}): TaskServiceParts {
  const { planner, tasks, tracer } = deps;
  // Plans of tasks submitted here that have not started yet; each is taken once, by the first run.
  const plans = new Map<string, TaskPlan>();

  async function get(id: string): Promise<TaskResult> {
    const result = await deps.runner().result(id);
    if (!result) throw notFound('task', id);
    return result;
  }

  async function submit(request: TaskRequest): Promise<TaskResult> {
    const input = parseTaskInput(request);
    const plan = await planner.plan(input);
    const task = await deps.runner().submit({
      prompt: input.prompt,
      // Stored as JSON. Some fields are open records (team options, JSON-schema checks) whose type
      // says `unknown`, so the request goes through JSON once instead of being cast.
      input: parseJson(JSON.stringify(input)),
      // Known before the first call, so even the 202 answer says the task is a dry run.
      simulated: plan.simulated,
      beforeStart: (created) => plans.set(created.id, plan),
    });
    return get(task.id);
  }

  const service: TaskService = {
    submit,
    async run(request) {
      const submitted = await submit(request);
      return deps.runner().wait(submitted.id);
    },
    wait: (id) => deps.runner().wait(id),
    get,
    async list(query = {}) {
      const records = await tasks.list({
        limit: query.limit ?? 50,
        ...(query.status ? { status: query.status } : {}),
        ...(query.before ? { before: query.before } : {}),
      });
      return Promise.all(records.map((r) => get(r.id)));
    },
    async cancel(id) {
      await deps.runner().cancel(id);
      return get(id);
    },
    events: (id, options = {}) => deps.runner().events(id, options),
    async spans(id) {
      await get(id);
      await tracer.flush();
      return deps.traces.listByTask(id);
    },
    async resumeInterrupted({ watch = false } = {}) {
      const ids = await deps.runner().resumeInterrupted();
      if (watch) deps.runner().watchInterrupted();
      return ids;
    },
  };

  return {
    service,
    planOf(task) {
      const plan = plans.get(task.id);
      if (plan) {
        plans.delete(task.id);
        return plan;
      }
      // A stored request was validated when it was submitted; it is read back, not trusted blindly.
      const input = validate(TaskInputSchema, task.input, { where: `task ${task.id}`, code: 'task.invalid' });
      return planner.replan(input);
    },
  };
}
