import type { Json } from '../core/json.js';

/** How a human answered a review: go ahead, refuse, or go ahead with an edited payload. */
export type ReviewDecision = 'approve' | 'reject' | 'edit';

/** A human's answer to a review request. */
export interface ReviewAnswer {
  decision: ReviewDecision;
  note: string | null;
  /** The edited payload (decision `edit`), or null. */
  payload: Json | null;
}

/** A request for a human decision that a suspended task waits on. */
export interface ReviewRecord {
  id: string;
  taskId: string;
  /** The durable step that waits on the answer; one review per (taskId, stepKey). */
  stepKey: string;
  /** What is asked, e.g. `tool-approval` or `quality-escalation`. */
  kind: string;
  question: string;
  payload: Json | null;
  /** `cancelled`: its task was cancelled before anyone answered; it can no longer be answered. */
  status: 'pending' | 'answered' | 'cancelled';
  answer: ReviewAnswer | null;
  createdAt: number;
  answeredAt: number | null;
}

/** Persists review requests and their answers. */
export interface ReviewStore {
  /** Creates the review unless one exists for its (taskId, stepKey); returns the stored review. */
  open(review: ReviewRecord): Promise<ReviewRecord>;
  /** The review, or null. */
  get(id: string): Promise<ReviewRecord | null>;
  /** The review a task's step waits on, or null. */
  getByStep(taskId: string, stepKey: string): Promise<ReviewRecord | null>;
  /** Newest first; `before` is an exclusive cursor (the id of the last review seen). */
  list(query: {
    status?: ReviewRecord['status'];
    taskId?: string;
    limit: number;
    before?: string;
  }): Promise<ReviewRecord[]>;
  /** Answers a pending review; returns it updated, or null when it is missing or no longer pending. */
  answer(id: string, answer: ReviewAnswer, answeredAt: number): Promise<ReviewRecord | null>;
  /** Marks a task's pending reviews cancelled (its task was cancelled); returns how many. */
  cancelPending(taskId: string, at: number): Promise<number>;
}
