import type { Clock } from '../core/clock.js';

/**
 * Admission control for the task runner (ADR 0034): at most `maxRunning` tasks run at once, and up
 * to `maxQueued` more wait in order for a slot. A new task is admitted only while there is room
 * (see {@link RunQueue.reserve}); a task that was admitted before (a resumed one, an answered
 * review) always gets in line.
 */
export interface RunQueue {
  /**
   * Takes a place for a new task if a slot or a queue place is free; false when both are full.
   * Every `true` must be followed by {@link admit} with `reserved: true`, or by {@link unreserve}.
   */
  reserve(): boolean;
  /** Gives back a place taken by {@link reserve} that will not be used. */
  unreserve(): void;
  /**
   * Runs `launch` now if a slot is free, else queues the task. `launch` starts the task and says
   * whether it did (false: it was cancelled or taken elsewhere meanwhile; the slot is freed). The
   * slot of a launched task is freed by {@link release}. A task already queued is left in its place.
   * Resolves once a task launched now has started (or did not), or once it is queued.
   */
  admit(
    id: string,
    launch: () => Promise<boolean>,
    options?: { reserved?: boolean },
  ): Promise<'started' | 'queued' | 'not started'>;
  /** A launched task ended: frees its slot and launches the next queued task. */
  release(): void;
  /** Whether the task waits in the queue. */
  has(id: string): boolean;
  /** Resolves when the task has left the queue (launched or dropped); at once if it is not queued. */
  left(id: string): Promise<void>;
  /** Removes a queued task (it was cancelled). */
  drop(id: string): void;
  /** Removes every queued task (the runner closes; they stay queued in the store). */
  clear(): void;
  /** Seconds until a place is likely free, from the recent rate of finished tasks (1–60). */
  retryAfterSeconds(): number;
  /** Tasks launched and not yet released, and tasks queued. */
  counts(): { running: number; queued: number };
}

interface Entry {
  launch: () => Promise<boolean>;
  leave: () => void;
  left: Promise<void>;
}

/** How many recent finishes estimate the rate at which slots free up. */
const RATE_WINDOW = 64;

/** Creates a run queue; `onLaunchError` hears a launch that threw (its slot is freed). */
export function createRunQueue(options: {
  maxRunning: number;
  maxQueued: number;
  clock: Clock;
  onLaunchError(error: unknown): void;
}): RunQueue {
  const { maxRunning, maxQueued, clock } = options;
  // In insertion order, which is the order tasks run in.
  const waiting = new Map<string, Entry>();
  let active = 0;
  let reserved = 0;
  const finishes: number[] = [];

  function launch(run: () => Promise<boolean>): Promise<boolean> {
    active++;
    return run().then(
      (started) => {
        if (!started) release();
        return started;
      },
      (error: unknown) => {
        options.onLaunchError(error);
        release();
        return false;
      },
    );
  }

  function pump(): void {
    while (active < maxRunning && waiting.size > 0) {
      const [id, entry] = waiting.entries().next().value as [string, Entry];
      waiting.delete(id);
      entry.leave();
      void launch(entry.launch);
    }
  }

  function release(): void {
    active--;
    finishes.push(clock.now());
    if (finishes.length > RATE_WINDOW) finishes.shift();
    pump();
  }

  return {
    reserve() {
      // Room for every task admitted and not finished: the running ones and the queued ones.
      if (active + waiting.size + reserved < maxRunning + maxQueued) {
        reserved++;
        return true;
      }
      return false;
    },
    unreserve() {
      reserved--;
    },
    async admit(id, run, { reserved: fromReserve = false } = {}) {
      if (fromReserve) reserved--;
      if (waiting.has(id)) return 'queued';
      if (active < maxRunning && waiting.size === 0) return (await launch(run)) ? 'started' : 'not started';
      let leave!: () => void;
      const left = new Promise<void>((resolve) => (leave = resolve));
      waiting.set(id, { launch: run, leave, left });
      return 'queued';
    },
    release,
    has: (id) => waiting.has(id),
    left: async (id) => waiting.get(id)?.left,
    drop(id) {
      const entry = waiting.get(id);
      if (!entry) return;
      waiting.delete(id);
      entry.leave();
    },
    clear() {
      for (const entry of waiting.values()) entry.leave();
      waiting.clear();
    },
    retryAfterSeconds() {
      const first = finishes[0];
      const last = finishes.at(-1);
      if (first === undefined || last === undefined || finishes.length < 2 || last <= first) return 1;
      const perSecond = ((finishes.length - 1) * 1000) / (last - first);
      // The queue ahead has to finish before a place frees up, at the recent rate.
      return Math.min(60, Math.max(1, Math.ceil((waiting.size + 1) / perSecond)));
    },
    counts: () => ({ running: active, queued: waiting.size }),
  };
}
