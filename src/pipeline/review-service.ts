import type { TaskRunner } from '../executor/index.js';
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
  /** Answers a pending review; its task resumes (in this process). */
  answer(id: string, answer: ReviewAnswer): Promise<ReviewRecord>;
}

/** Creates the review service. */
export function createReviewService(deps: { reviews: ReviewStore; runner: TaskRunner }): ReviewService {
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
    async answer(id, answer) {
      if ((await reviews.get(id))?.kind === QUALITY_ESCALATION) checkEscalationAnswer(answer);
      return deps.runner.answerReview(id, answer);
    },
  };
}
