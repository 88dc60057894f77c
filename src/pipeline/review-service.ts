import type { Clock } from '../core/clock.js';
import { notFound } from '../core/errors.js';
import type { TaskRunner } from '../executor/index.js';
import type { Actor } from '../security/index.js';
import type { AuditStore } from '../store/audit-store.js';
import { recordChange } from './audit-log.js';
import type { ReviewAnswer, ReviewRecord, ReviewStore } from '../store/review-store.js';
import { checkEscalationAnswer, QUALITY_ESCALATION } from './quality-loop.js';

/** Reviews: the human decisions waiting tasks are suspended on. */
export interface ReviewService {
  /** Newest first; every status unless `status` is given. */
  list(query?: {
    status?: ReviewRecord['status'];
    taskId?: string;
    limit?: number;
    before?: string;
  }): Promise<ReviewRecord[]>;
  /** One review; throws `review.not_found`. */
  get(id: string): Promise<ReviewRecord>;
  /** Answers a pending review (an audit event names `actor`); its task resumes (in this process). */
  answer(id: string, answer: ReviewAnswer, actor?: Actor): Promise<ReviewRecord>;
}

/** Creates the review service. */
export function createReviewService(deps: {
  reviews: ReviewStore;
  runner: TaskRunner;
  audit: AuditStore;
  clock: Clock;
  /** The tenant of a task (the audit event of an answer carries it); absent: none is recorded. */
  tenantOf?: (taskId: string) => Promise<string>;
}): ReviewService {
  const { reviews } = deps;
  return {
    list(query = {}) {
      return reviews.list({
        limit: query.limit ?? 50,
        ...(query.status ? { status: query.status } : {}),
        ...(query.taskId ? { taskId: query.taskId } : {}),
        ...(query.before ? { before: query.before } : {}),
      });
    },
    async get(id) {
      const review = await reviews.get(id);
      if (!review) throw notFound('review', id);
      return review;
    },
    async answer(id, answer, actor) {
      if ((await reviews.get(id))?.kind === QUALITY_ESCALATION) checkEscalationAnswer(answer);
      const answered = await deps.runner.answerReview(id, answer);
      // A human decision: who took it, and what it was (the note and any edited payload stay in
      // the review itself).
      await recordChange(deps, {
        actor,
        action: 'review.answer',
        target: id,
        tenant: deps.tenantOf ? await deps.tenantOf(answered.taskId) : null,
        details: { taskId: answered.taskId, kind: answered.kind, decision: answer.decision },
      });
      return answered;
    },
  };
}
