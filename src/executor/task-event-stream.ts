import { notFound } from '../core/errors.js';
import { LIVE_ONLY_EVENTS, TERMINAL_EVENTS } from '../core/events.js';
import type { TaskEvent } from '../core/events.js';
import type { TaskStatus, TaskStore } from '../store/task-store.js';
import './executor-error-codes.js';

/** Options of one followed stream. */
export interface FollowOptions {
  /** Replay stored events after this sequence number (default 0: all of them). */
  afterSeq?: number;
  /** Ends the stream. */
  signal?: AbortSignal;
}

/** Follows task events: replays stored ones, then yields live ones as the runner announces them. */
export interface TaskEventStreams {
  follow(id: string, options?: FollowOptions): AsyncGenerator<TaskEvent>;
  /** The runner stopped running `id` here (it finished, waits, or the process closes): wakes its followers. */
  stoppedHere(id: string): void;
  /** Ends every open stream (the runner is closing). */
  closeAll(): void;
}

const TERMINAL_STATUS: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Streams fed by the runner's notifications. A task run in this process pushes its events; a task
 * run by another process (or waiting for a human) has no such feed, so its followers catch up
 * from the store on a shared tick that runs only while such followers exist — SQLite has no change
 * notification (a Postgres store can replace the tick with LISTEN/NOTIFY).
 */
export function createTaskEventStreams(options: {
  tasks: TaskStore;
  /** Subscribes to events as the runner emits them; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: TaskEvent) => void): () => void;
  /** Whether this process runs the task now (its events arrive through `subscribe`). */
  runsHere(id: string): boolean;
  /** How often followers of tasks run elsewhere look at the store (ms). */
  catchUpMs: number;
}): TaskEventStreams {
  const { tasks } = options;
  const open = new Set<() => void>();
  // Wakers by task, so a run that stops here wakes the streams that were waiting on its pushes.
  const byTask = new Map<string, Set<() => void>>();
  const catchingUp = new Set<() => void>();
  let tick: NodeJS.Timeout | undefined;
  let closed = false;

  function waitForCatchUp(wake: () => void): void {
    catchingUp.add(wake);
    // Not unref'd: a consumer following a task run by another process has nothing else pending.
    tick ??= setInterval(() => {
      for (const waker of [...catchingUp]) waker();
      if (catchingUp.size === 0) {
        clearInterval(tick);
        tick = undefined;
      }
    }, options.catchUpMs);
  }

  async function* follow(
    id: string,
    { afterSeq = 0, signal }: FollowOptions = {},
  ): AsyncGenerator<TaskEvent> {
    if (!(await tasks.get(id))) throw notFound('task', id);
    // Subscribe before reading the past, so nothing emitted in between is lost; dedupe by seq.
    const queue: TaskEvent[] = [];
    let wake: (() => void) | undefined;
    const unsubscribe = options.subscribe(id, (event) => {
      queue.push(event);
      wake?.();
    });
    const onAbort = () => wake?.();
    signal?.addEventListener('abort', onAbort);
    let last = afterSeq;
    // Checks of the store that found the task finished but not its last event (see below).
    let finishedChecks = 0;
    try {
      for (const event of await tasks.listEvents(id, afterSeq)) {
        last = event.seq;
        yield event;
        if (TERMINAL_EVENTS.has(event.type)) return;
      }
      for (;;) {
        while (queue.length > 0) {
          const event = queue.shift() as TaskEvent;
          // Live-only events carry the seq of the event before them; everything else must be new.
          const live = LIVE_ONLY_EVENTS.has(event.type);
          if (!live && event.seq <= last) continue;
          if (!live) last = event.seq;
          yield event;
          if (TERMINAL_EVENTS.has(event.type)) return;
        }
        if (signal?.aborted || closed) return;
        if (!options.runsHere(id)) {
          // Run by another process, waiting, or just ended here: catch up from the store, which
          // also closes any gap.
          const stored = await tasks.listEvents(id, last);
          for (const event of stored) {
            last = event.seq;
            yield event;
            if (TERMINAL_EVENTS.has(event.type)) return;
          }
          if (stored.length === 0 && queue.length === 0) {
            // The status turns terminal just before the terminal event is appended: give the event
            // a few ticks to arrive, and end anyway for a task that finished without one.
            const task = await tasks.get(id);
            if (task && TERMINAL_STATUS.has(task.status) && ++finishedChecks > 4) return;
          }
        }
        // Events that arrived while this stream was yielding are handled before waiting.
        if (queue.length > 0) continue;
        if (signal?.aborted || closed) return;
        let wakers = byTask.get(id);
        if (!wakers) byTask.set(id, (wakers = new Set()));
        const waiting = wakers;
        await new Promise<void>((resolve) => {
          wake = resolve;
          open.add(resolve);
          waiting.add(resolve);
          if (!options.runsHere(id)) waitForCatchUp(resolve);
        });
        if (wake) {
          open.delete(wake);
          catchingUp.delete(wake);
          waiting.delete(wake);
          if (waiting.size === 0) byTask.delete(id);
        }
        wake = undefined;
      }
    } finally {
      unsubscribe();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  return {
    follow,
    stoppedHere(id) {
      for (const wake of byTask.get(id) ?? []) wake();
    },
    closeAll() {
      closed = true;
      for (const wake of open) wake();
      clearInterval(tick);
      tick = undefined;
    },
  };
}
