import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { createCostMeter } from '../budget/index.js';
import type { CostMeter } from '../budget/index.js';
import type { Clock } from '../core/clock.js';
import { AgentdError, notFound, toAgentdError } from '../core/errors.js';
import './executor-error-codes.js';
import { LIVE_ONLY_EVENTS } from '../core/events.js';
import type { TaskEvent, TaskEventMap, TaskEventShaper } from '../core/events.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import type { Json } from '../core/json.js';
import type { Logger } from '../core/logger.js';
import type { JournalStore } from '../store/journal-store.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { ReviewAnswer, ReviewRecord, ReviewStore } from '../store/review-store.js';
import type { TaskOrigin, TaskRecord, TaskStore } from '../store/task-store.js';
import { ATTR } from '../trace/index.js';
import type { SpanHandle, Tracer } from '../trace/index.js';
import type { DurableEngine } from './durable-context.js';
import { createRunQueue } from './run-queue.js';
import { createTaskEventStreams } from './task-event-stream.js';
import type { FollowOptions } from './task-event-stream.js';
import { createTaskAdoption, liveOwners } from './task-adoption.js';
import {
  aborted,
  cancelledError,
  cancelReason,
  configMismatch,
  notAnswerable,
  notInterrupted,
  queueFullError,
} from './task-runner-errors.js';
import type { TaskDispatcher } from './task-dispatcher.js';
import type { InterruptedTask } from './task-adoption.js';
import { createTaskResultView, TERMINAL } from './task-result-view.js';
import type { TaskResult } from './task-result.js';
import type { TaskScope, TaskWorkflow } from './task-scope.js';

export type { TaskScope, TaskWorkflow } from './task-scope.js';

/** Creates, runs, cancels and resumes tasks. */
export interface TaskRunner {
  /** Creates a queued task and starts it in the background. */
  submit(request: {
    prompt: string;
    input: Json;
    simulated?: boolean;
    /** Called once the task exists, before its workflow starts (e.g. to hand it what was checked). */
    beforeStart?(task: TaskRecord): void;
  }): Promise<TaskRecord>;
  /** Cancels a queued or running task (aborting in-flight model calls); finished tasks are returned as they are. */
  cancel(id: string): Promise<TaskRecord>;
  /**
   * Resolves when the task has finished. A task waiting for a human keeps it waiting; once the
   * review is answered (here or in another process) the task is resumed here if nobody else has.
   * With `untilWaiting`, it resolves as soon as the task waits for a human instead; with `signal`,
   * when that aborts (a timeout); both with the task's current view.
   */
  wait(id: string, options?: WaitOptions): Promise<TaskResult>;
  /**
   * Answers a pending review and resumes its task (here). Throws `review.not_found`, or
   * `review.already_answered` when it was answered before.
   */
  answerReview(id: string, answer: ReviewAnswer): Promise<ReviewRecord>;
  /** The task's current result view (also for unfinished tasks). */
  result(id: string): Promise<TaskResult | null>;
  /**
   * A task's events: the stored ones after `afterSeq`, then live ones, ending after its last
   * event (a waiting task keeps the stream open), when `signal` aborts, or when the runner closes.
   */
  events(id: string, options?: FollowOptions): AsyncGenerator<TaskEvent>;
  /** Resumes tasks of this runner's config left `running`/`queued` by a process that is gone; returns their ids. */
  resumeInterrupted(): Promise<string[]>;
  /** Tasks left `running` by a process that is gone (any config), with why this runner leaves one alone. */
  listInterrupted(): Promise<InterruptedTask[]>;
  /**
   * Resumes one interrupted (or orphaned queued) task here. Throws `task.not_found`,
   * `task.not_interrupted`, or `task.config_mismatch` when it was started with another config
   * (unless `force`).
   */
  resume(id: string, options?: { force?: boolean }): Promise<TaskRecord>;
  /** From now on, adopts interrupted tasks on every heartbeat (for long-running servers). */
  watchInterrupted(): void;
  /** Stops running tasks without failing them (they stay `running` and resume later) and stops heartbeats. */
  close(): Promise<void>;
}

/** Options of {@link createTaskRunner}. */
export interface TaskRunnerOptions {
  tasks: TaskStore;
  journal: JournalStore;
  ledger: LedgerStore;
  reviews: ReviewStore;
  engine: DurableEngine;
  tracer: Tracer;
  clock: Clock;
  logger: Logger;
  workflow: TaskWorkflow;
  /** How often a running task's lease is renewed (ms); a lease 6× older than this is stale. */
  heartbeatMs?: number;
  /** Steps (model, tool, human) one task may take in all (default unlimited). */
  maxTaskSteps?: number;
  /** Tasks run at once; more wait in the run queue (default unlimited). */
  maxRunningTasks?: number;
  /** Tasks that may wait for a slot; a new task beyond it is refused with `task.queue_full` (default unlimited). */
  maxQueuedTasks?: number;
  /** Whether `pid` is alive on this host (injectable for tests). */
  isProcessAlive?: (pid: number) => boolean;
  /** The config this runner runs with: recorded on new tasks; only tasks of the same one are adopted. */
  origin?: TaskOrigin;
  /** Applied to every event before it is stored or streamed (the PII policy for outputs). */
  shapeEvent?: TaskEventShaper;
  /**
   * A durable engine's queue (DBOS): tasks are dispatched to it and run where it hands them; it
   * recovers tasks of dead processes, so this runner adopts none itself.
   */
  dispatcher?: TaskDispatcher;
  /** Whether this process runs dispatched tasks (default true; false: it only submits). */
  worker?: boolean;
}

/** How long {@link TaskRunner.wait} waits. */
export interface WaitOptions {
  /** Return once the task waits for a human (status `waiting`), not only once it has finished. */
  untilWaiting?: boolean;
  /** Return the task's current view when this aborts (e.g. `AbortSignal.timeout(30_000)`). */
  signal?: AbortSignal;
}

/**
 * The `staleBefore` of a claim for a task seen `queued`: no lease counts as stale, so if another
 * path claimed the task meanwhile (a claim runs a moment later, with its group of writes), this
 * claim fails instead of taking the task from its new owner.
 */
const ONLY_IF_QUEUED = 0;

interface RunState {
  controller: AbortController;
  /** Serialises event persistence so sequence numbers follow emission order. */
  chain: Promise<unknown>;
  lastSeq: number;
  costMeter: CostMeter;
  done: Promise<void>;
}

/** The task run loop: lifecycle, events, cost recording, leases and resume. */
export function createTaskRunner(options: TaskRunnerOptions): TaskRunner {
  const { tasks, journal, ledger, reviews, engine, tracer, clock, logger, workflow, dispatcher } = options;
  const heartbeatMs = options.heartbeatMs ?? 5_000;
  const adoption = createTaskAdoption({
    origin: options.origin,
    staleAfterMs: heartbeatMs * 6,
    isProcessAlive: options.isProcessAlive,
  });
  const { ownerIsDeadHere } = adoption;
  const buildResult = createTaskResultView({ tasks, journal, ledger, reviews });
  // Tasks of another config already reported as left alone (said once, not on every heartbeat).
  const leftAlone = new Set<string>();
  const owner = `${hostname()}:${process.pid}:${newId('run')}`;
  liveOwners.add(owner);
  const running = new Map<string, RunState>();
  const listeners = new Map<string, Set<(event: TaskEvent) => void>>();
  let closing = false;
  let watching = false;
  const queue = createRunQueue({
    maxRunning: options.maxRunningTasks ?? Number.POSITIVE_INFINITY,
    maxQueued: options.maxQueuedTasks ?? Number.POSITIVE_INFINITY,
    clock,
    onLaunchError: (error) => logger.error('could not start a task', { error: String(error) }),
  });

  const heartbeat = setInterval(() => {
    void renewLeases().catch((error: unknown) =>
      logger.error('lease renewal failed', { error: String(error) }),
    );
    if (watching && !closing) {
      void resumeInterrupted().catch((error: unknown) =>
        logger.error('resume scan failed', { error: String(error) }),
      );
    }
  }, heartbeatMs);
  heartbeat.unref();

  async function renewLeases(): Promise<void> {
    if (running.size === 0) return;
    await tasks.heartbeat({ owner, now: clock.now() });
    // Cancellation from another process shows up as a status change; abort our run of it.
    for (const [id, state] of running) {
      const task = await tasks.get(id);
      if (task?.status === 'cancelled') state.controller.abort(cancelReason());
    }
  }

  const streams = createTaskEventStreams({
    tasks,
    subscribe(id, listener) {
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(id);
      };
    },
    runsHere: (id) => running.has(id),
    catchUpMs: 250,
  });

  function notify(taskId: string, event: TaskEvent): void {
    const set = listeners.get(taskId);
    if (set) for (const listener of set) listener(event);
  }

  function emitFor(taskId: string, state: RunState) {
    return <K extends keyof TaskEventMap>(type: K, raw: TaskEventMap[K]): void => {
      const data = options.shapeEvent ? options.shapeEvent(type, raw) : raw;
      if (data === null) return;
      const time = clock.now();
      state.chain = state.chain.then(async () => {
        // Text deltas are streamed live only: persisting every token would dominate the cost of a
        // step, and the step-end event carries the full text for replay.
        const seq = LIVE_ONLY_EVENTS.has(type)
          ? state.lastSeq
          : await tasks.appendEvent(taskId, { type, time, data } as Omit<TaskEvent, 'seq'>);
        state.lastSeq = seq;
        notify(taskId, { type, seq, time, data } as TaskEvent);
      });
      state.chain.catch((error: unknown) =>
        logger.error('could not record task event', { taskId, type, error: String(error) }),
      );
    };
  }

  /** Runs the task here; `left running` when the process shut down mid-run (the task resumes later). */
  async function execute(task: TaskRecord): Promise<'ended' | 'left running'> {
    const controller = new AbortController();
    // Every model call in flight listens on the task's signal (and stops listening when it ends):
    // a task with many parallel agents has more than Node's default of 10 at once, without a leak.
    setMaxListeners(0, controller.signal);
    // Calls left pending by a process that died mid-call may have been billed: they stay in the
    // ledger (and in the totals the budget starts from) at their estimate, marked interrupted.
    await ledger.markInterrupted(task.id);
    const totals = await ledger.totals({ taskId: task.id });
    let finish!: () => void;
    const state: RunState = {
      controller,
      chain: Promise.resolve(),
      lastSeq: 0,
      costMeter: createCostMeter({
        taskId: task.id,
        ledger,
        clock,
        spentUsd: totals.costUsd,
        onRecorded: async ({ info }) => {
          if (info.simulated && !task.simulated) {
            task.simulated = true;
            await tasks.update(task.id, { simulated: true });
          }
        },
      }),
      done: new Promise((resolve) => (finish = resolve)),
    };
    running.set(task.id, state);
    const emit = emitFor(task.id, state);
    const span = tracer.startSpan(`task ${task.id}`, { kind: 'task', taskId: task.id });
    emit('task-start', { taskId: task.id, prompt: task.prompt });

    let deadline: NodeJS.Timeout | undefined;
    const scheduleDeadline: TaskScope['deadline'] = (ms, error) => {
      clearTimeout(deadline);
      deadline = setTimeout(() => controller.abort(error), Math.max(0, ms));
      deadline.unref();
    };

    let outcome: { output: string; details?: Json } | { error: AgentdError };
    try {
      outcome = await engine.run(
        {
          taskId: task.id,
          signal: controller.signal,
          ...(options.maxTaskSteps ? { maxSteps: options.maxTaskSteps } : {}),
        },
        (durable) =>
          workflow({ task, durable, span, emit, costMeter: state.costMeter, deadline: scheduleDeadline }),
      );
    } catch (error) {
      outcome = {
        error: controller.signal.aborted ? toAgentdError(controller.signal.reason) : toAgentdError(error),
      };
    } finally {
      clearTimeout(deadline);
    }

    try {
      if (closing && controller.signal.aborted && !('output' in outcome)) {
        // Shutting down: leave the task `running`; the next runtime on this database resumes it.
        span.end({ code: 'task.interrupted', message: 'process shutting down' });
        await state.chain;
        return 'left running';
      }
      if ('error' in outcome && outcome.error.code === 'task.suspended') {
        // Waiting for a human: no process holds the task; answering the review queues it again. Its
        // events (the review-requested one) are stored first: whoever sees `waiting` finds them.
        await state.chain;
        const suspended = await tasks.transition(task.id, ['running'], 'waiting');
        span.end({ code: 'task.suspended', message: outcome.error.message });
        if (!suspended) logger.warn('task suspended in an unexpected state', { taskId: task.id });
        await tracer.flush();
        return 'ended';
      }
      await finalize(task, state, span, emit, outcome);
      return 'ended';
    } finally {
      running.delete(task.id);
      // Its followers now read the store (it waits, or another process may pick it up).
      streams.stoppedHere(task.id);
      finish();
    }
  }

  async function finalize(
    task: TaskRecord,
    state: RunState,
    span: SpanHandle,
    emit: TaskScope['emit'],
    outcome: { output: string; details?: Json } | { error: AgentdError },
  ): Promise<void> {
    const finishedAt = clock.now();
    if ('output' in outcome) {
      const ok = await tasks.transition(task.id, ['running'], 'succeeded', {
        output: outcome.output,
        finishedAt,
      });
      if (ok) {
        span.setAttributes({ [ATTR.costUsd]: state.costMeter.taskCostUsd() });
        span.end();
        emit('task-end', {
          taskId: task.id,
          status: 'succeeded',
          output: outcome.output,
          simulated: task.simulated,
        });
      } else {
        span.end({ code: 'task.cancelled', message: 'cancelled' });
        emit('task-error', { taskId: task.id, status: 'cancelled', error: cancelledError() });
      }
    } else {
      const cancelled = outcome.error.code === 'task.cancelled';
      const error = { code: outcome.error.code, message: outcome.error.message };
      if (!cancelled) {
        const ok = await tasks.transition(task.id, ['running'], 'failed', { error, finishedAt });
        if (!ok) logger.warn('task finished in an unexpected state', { taskId: task.id });
      }
      span.end(error);
      emit('task-error', { taskId: task.id, status: cancelled ? 'cancelled' : 'failed', error });
    }
    await state.chain;
    const result = await buildResult(task.id, 'details' in outcome ? outcome.details : undefined);
    if (result) await tasks.update(task.id, { result: toJson(result) });
    await tracer.flush();
  }

  /**
   * The claim's staleness bound for a task seen interrupted. A lease held by a dead process on this
   * host is stale at once; otherwise it must have expired. Only a running task has a lease: a queued
   * one (no owner) may be claimed by another path before this claim runs, and an unlimited
   * staleness would then take it from its new owner.
   */
  function staleBefore(task: TaskRecord, now: number): number {
    const deadOwner = task.status === 'running' && ownerIsDeadHere(task.owner);
    return deadOwner ? Number.POSITIVE_INFINITY : now - heartbeatMs * 6;
  }

  async function resumeInterrupted(): Promise<string[]> {
    // The engine's queue recovers tasks of dead processes (see the dispatcher).
    if (dispatcher) return [];
    const now = clock.now();
    const candidates = await tasks.list({ status: ['running', 'queued'], limit: 1000 });
    const resumed: string[] = [];
    for (const task of candidates) {
      if (running.has(task.id) || queue.has(task.id)) continue;
      const notAdopted = adoption.notAdopted(task);
      if (notAdopted) {
        if (!leftAlone.has(task.id))
          logger.info('left an interrupted task alone', { taskId: task.id, reason: notAdopted });
        leftAlone.add(task.id);
        continue;
      }
      if ((await start(task.id, staleBefore(task, now))) !== 'not started') resumed.push(task.id);
    }
    if (resumed.length > 0) logger.info('resumed interrupted tasks', { count: resumed.length, ids: resumed });
    return resumed;
  }

  /**
   * Runs the task here once the run queue gives it a slot (at once when one is free): takes its
   * lease if it is queued, or running under a lease renewed before `staleBefore`.
   */
  function start(
    id: string,
    staleBefore: number,
    admission: { reserved?: boolean } = {},
  ): Promise<'started' | 'queued' | 'not started'> {
    if (dispatcher) return dispatcher.dispatch(id).then(() => 'queued' as const);
    return queue.admit(id, () => launch(id, staleBefore), admission);
  }

  // The engine's queue hands tasks to this process: it owns them (it fenced out any earlier owner),
  // so the lease is taken whatever its age. A task cancelled meanwhile is not taken.
  if (dispatcher && options.worker !== false) {
    dispatcher.serve(async (id) => {
      if (closing || !(await tasks.claim(id, { owner, now: clock.now(), staleBefore: Infinity }))) return;
      const task = await tasks.get(id);
      if (task && (await execute(task)) === 'left running') await new Promise<never>(() => {});
    });
  }

  /** Claims and starts the task; false when it is no longer there to take (cancelled, or taken elsewhere). */
  async function launch(id: string, staleBefore: number): Promise<boolean> {
    if (closing) return false;
    const claimed = await tasks.claim(id, { owner, now: clock.now(), staleBefore });
    if (!claimed) return false;
    const task = await tasks.get(id);
    if (!task) return false;
    void execute(task)
      .catch((error: unknown) => logger.error('task run loop failed', { taskId: id, error: String(error) }))
      .finally(() => queue.release());
    return true;
  }

  return {
    async submit({ prompt, input, simulated = false, beforeStart }) {
      if (closing) throw new AgentdError({ code: 'runtime.closed', message: 'the runtime is shutting down' });
      // Refused before the task exists: a refused request leaves nothing behind.
      if (!dispatcher && !queue.reserve()) throw queueFullError(queue.counts(), queue.retryAfterSeconds());
      const now = clock.now();
      const task: TaskRecord = {
        id: newId('task', now),
        status: 'queued',
        prompt,
        input,
        output: null,
        error: null,
        result: null,
        simulated,
        owner: null,
        heartbeatAt: null,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        ...(options.origin ? { origin: options.origin } : {}),
      };
      try {
        await tasks.create(task);
        beforeStart?.(task);
      } catch (error) {
        queue.unreserve();
        throw error;
      }
      await start(task.id, ONLY_IF_QUEUED, { reserved: true });
      return (await tasks.get(task.id)) ?? task;
    },

    async cancel(id) {
      const task = await tasks.get(id);
      if (!task) throw notFound('task', id);
      if (TERMINAL.has(task.status)) return task;
      const changed = await tasks.transition(id, ['queued', 'running', 'waiting'], 'cancelled', {
        error: cancelledError(),
        finishedAt: clock.now(),
      });
      // Nobody may answer for a task that no longer runs, and a queued one leaves the queue.
      if (changed) await reviews.cancelPending(id, clock.now());
      if (changed) await dispatcher?.cancel(id);
      queue.drop(id);
      const local = running.get(id);
      // A live owner elsewhere records the end itself when its heartbeat sees the cancellation.
      const ownedElsewhere =
        !local &&
        task.status === 'running' &&
        !ownerIsDeadHere(task.owner) &&
        (task.heartbeatAt ?? 0) >= clock.now() - heartbeatMs * 6;
      if (local) local.controller.abort(cancelReason());
      else if (changed && !ownedElsewhere) {
        // Nobody runs it: record the end here (calls its dead process left pending are interrupted).
        await ledger.markInterrupted(id);
        await tasks.appendEvent(id, {
          type: 'task-error',
          time: clock.now(),
          data: { taskId: id, status: 'cancelled', error: cancelledError() },
        });
        const result = await buildResult(id);
        if (result) await tasks.update(id, { result: toJson(result) });
      }
      if (local) await local.done;
      return (await tasks.get(id)) ?? task;
    },
    async wait(id, { untilWaiting = false, signal } = {}) {
      const stop = aborted(signal);
      for (;;) {
        // Queued here: it starts here, so there is nothing to poll until it does.
        if (queue.has(id)) await Promise.race([queue.left(id), stop]);
        const local = running.get(id);
        if (local) await Promise.race([local.done, stop]);
        const task = await tasks.get(id);
        if (!task) throw notFound('task', id);
        if (TERMINAL.has(task.status) && (task.result || !local)) {
          const result = await buildResult(id);
          if (result) return result;
        }
        if ((untilWaiting && task.status === 'waiting') || signal?.aborted) {
          const current = await buildResult(id);
          if (current) return current;
        }
        // Answered elsewhere (e.g. `agentd reviews approve` in another terminal): resume it here,
        // also when the process that answered started it and then exited (or crashed) mid-run.
        if (!running.has(id) && !queue.has(id) && !closing && !dispatcher) {
          if (task.status === 'queued') await start(id, ONLY_IF_QUEUED);
          else if (task.status === 'running' && ownerIsDeadHere(task.owner))
            await start(id, Number.POSITIVE_INFINITY);
        }
        // Run elsewhere (another process) or not yet started: poll.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, 100))), stop]);
        clearTimeout(timer);
      }
    },

    result: buildResult,
    events: (id, followOptions) => streams.follow(id, followOptions),

    async answerReview(id, answer) {
      const review = await reviews.get(id);
      if (!review) throw notFound('review', id);
      const answered = await reviews.answer(id, answer, clock.now());
      if (!answered) throw notAnswerable((await reviews.get(id)) ?? review);
      const event = {
        type: 'review-answered' as const,
        time: clock.now(),
        data: { taskId: review.taskId, reviewId: id, decision: answer.decision },
      };
      notify(review.taskId, { ...event, seq: await tasks.appendEvent(review.taskId, event) });
      // Queue it again; this process runs it unless the task was cancelled meanwhile, or another
      // config started it: a process of that config adopts it then, as an interrupted task.
      if (await tasks.transition(review.taskId, ['waiting'], 'queued')) {
        const queued = await tasks.get(review.taskId);
        // On a shared queue it runs wherever a worker takes it, once its suspended run has ended.
        if (dispatcher) await dispatcher.dispatch(review.taskId, { afterEnd: true });
        else if (!closing && queued && !adoption.notAdopted(queued))
          await start(review.taskId, ONLY_IF_QUEUED);
      }
      return answered;
    },
    resumeInterrupted,

    async listInterrupted() {
      const now = clock.now();
      const candidates = await tasks.list({ status: ['running'], limit: 1000 });
      return candidates
        .filter((task) => !running.has(task.id) && adoption.leaseLapsed(task, now))
        .map((task) => ({ task, notAdopted: adoption.notAdopted(task) }));
    },

    async resume(id, { force = false } = {}) {
      const task = await tasks.get(id);
      if (!task) throw notFound('task', id);
      if (running.has(id) || queue.has(id)) return task;
      if (task.status !== 'queued' && !adoption.leaseLapsed(task, clock.now())) throw notInterrupted(task);
      const notAdopted = adoption.notAdopted(task);
      if (notAdopted && !force) throw configMismatch(task, notAdopted);
      const bound = task.status === 'queued' ? ONLY_IF_QUEUED : staleBefore(task, clock.now());
      // Claimed by another process meanwhile: it is no longer interrupted.
      if ((await start(id, bound)) === 'not started') throw notInterrupted((await tasks.get(id)) ?? task);
      return (await tasks.get(id)) ?? task;
    },

    watchInterrupted() {
      watching = true;
    },

    async close() {
      closing = true;
      // Queued tasks stay queued in the store: the next runtime on this database runs them.
      queue.clear();
      streams.closeAll();
      liveOwners.delete(owner);
      clearInterval(heartbeat);
      const pending = [...running.values()];
      for (const state of pending)
        state.controller.abort(new AgentdError({ code: 'task.interrupted', message: 'runtime closing' }));
      await Promise.all(pending.map((s) => s.done));
      await tracer.flush();
    },
  };
}
