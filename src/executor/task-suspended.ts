import { AgentdError } from '../core/errors.js';
import './executor-error-codes.js';

/** Thrown through a workflow that waits on a human: the task stops and resumes when answered. */
export class TaskSuspendedError extends AgentdError {
  readonly reviewId: string;
  constructor(reviewId: string) {
    super({
      code: 'task.suspended',
      message: `the task waits for review ${reviewId}`,
      details: { reviewId },
    });
    this.name = 'TaskSuspendedError';
    this.reviewId = reviewId;
  }
}
