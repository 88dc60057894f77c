import type { Clock } from '../core/clock.js';
import type { AgentdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import type { JournalStore, StepStart } from '../store/journal-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type { AtMostOnce } from './durable-context.js';
import { TaskSuspendedError } from './task-suspended.js';

/**
 * The mark of the `n`th approved re-run of step `key`. No step key has a `#` in its last segment
 * (that is always the step's sequence number), so these never collide with a step.
 */
export function rerunKey(key: string, n: number): string {
  return `${key}#${n}`;
}

/** A task's start marks by step: when it was first started, and how many approved re-runs started. */
export function indexStartMarks(starts: readonly StepStart[]): {
  startedAt: Map<string, number>;
  reruns: Map<string, number>;
} {
  const startedAt = new Map<string, number>();
  const reruns = new Map<string, number>();
  for (const start of starts) {
    const match = /^(.*)#(\d+)$/.exec(start.key);
    if (!match) startedAt.set(start.key, start.startedAt);
    else {
      const [, key = '', n = '0'] = match;
      reruns.set(key, Math.max(reruns.get(key) ?? 0, Number(n)));
    }
  }
  return { startedAt, reruns };
}

/** What becomes of a step that a previous run started and never finished. */
export type InterruptedOutcome<T> = { rerun: true } | { output: T } | { error: AgentdError };

/**
 * Decides what an at-most-once step that was cut off mid-run does now: fails it (journaled, so
 * every replay fails the same way), or asks a human through a review on the step's own key (the
 * task suspends until it is answered; the answer says run it again, or what it returned). An
 * approved re-run cut off in turn is asked about again, on a review of its own.
 */
export async function settleInterruptedStep<T>(options: {
  taskId: string;
  key: string;
  name: string;
  startedAt: number;
  /** Approved re-runs of it that were started (and cut off too): each is asked about anew. */
  reruns: number;
  once: AtMostOnce<T>;
  /** Where the outcome is journaled (agentd's journal, or a DBOS step). */
  journal: Pick<JournalStore, 'record'>;
  reviews: ReviewStore;
  clock: Clock;
}): Promise<InterruptedOutcome<T>> {
  const { taskId, key, name, once, journal, reviews, clock } = options;
  const fail = async (error: AgentdError): Promise<InterruptedOutcome<T>> => {
    await journal.record({
      taskId,
      key,
      name,
      status: 'failed',
      output: null,
      error: { code: error.code, message: error.message },
      startedAt: options.startedAt,
      finishedAt: clock.now(),
    });
    return { error };
  };
  if (once.onInterrupted === 'fail') return fail(once.error());

  // One review per interruption: the first on the step's key, the next ones on their re-run's.
  const reviewKey = options.reruns === 0 ? key : rerunKey(key, options.reruns);
  const existing = await reviews.getByStep(taskId, reviewKey);
  if (existing?.status === 'answered' && existing.answer) {
    const decision = once.decide({ reviewId: existing.id, ...existing.answer });
    if ('rerun' in decision) return decision;
    await journal.record({
      taskId,
      key,
      name,
      status: 'completed',
      output: toJson(decision.output as never) ?? null,
      error: null,
      startedAt: options.startedAt,
      finishedAt: clock.now(),
    });
    return decision;
  }
  // Closed unanswered: the task was cancelled, so nothing may run.
  if (existing?.status === 'cancelled') return { error: once.error() };
  const review =
    existing ??
    (await reviews.open({
      id: newId('rev'),
      taskId,
      stepKey: reviewKey,
      kind: once.review.kind,
      question: once.review.question,
      payload: once.review.payload ?? null,
      status: 'pending',
      answer: null,
      createdAt: clock.now(),
      answeredAt: null,
    }));
  if (!existing) once.onRequested?.(review);
  throw new TaskSuspendedError(review.id);
}
