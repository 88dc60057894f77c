import { AgentdError } from '../core/errors.js';

/** Thrown through a workflow that waits on a human: the task stops and resumes when answered. */
export class TaskSuspendedError extends AgentdError {
  readonly reviewId: string;
  constructor(reviewId: string) {
    super({
      code: 'task.suspended',
      category: 'user',
      message: `the task waits for review ${reviewId}`,
      details: { reviewId },
    });
    this.name = 'TaskSuspendedError';
    this.reviewId = reviewId;
  }
}

/**
 * Errors that end the whole task rather than one branch or agent: a parallel branch that hits one
 * of them does not settle as a branch failure.
 */
export const TASK_FATAL_CODES: ReadonlySet<string> = new Set([
  'task.suspended',
  'task.cancelled',
  'task.interrupted',
  'budget.exceeded',
  'loop.step_limit',
]);
