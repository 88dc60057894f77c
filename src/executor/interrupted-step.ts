import type { Clock } from '../core/clock.js';
import type { AgentdError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import type { JournalStore } from '../store/journal-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type { AtMostOnce } from './durable-context.js';
import { TaskSuspendedError } from './task-suspended.js';

/** What becomes of a step that a previous run started and never finished. */
export type InterruptedOutcome<T> = { rerun: true } | { output: T } | { error: AgentdError };

/**
 * Decides what an at-most-once step that was cut off mid-run does now: fails it (journaled, so
 * every replay fails the same way), or asks a human through a review on the step's own key (the
 * task suspends until it is answered; the answer says run it again, or what it returned).
 */
export async function settleInterruptedStep<T>(options: {
  taskId: string;
  key: string;
  name: string;
  startedAt: number;
  once: AtMostOnce<T>;
  journal: JournalStore;
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

  const existing = await reviews.getByStep(taskId, key);
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
      stepKey: key,
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
