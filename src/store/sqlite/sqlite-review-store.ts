import type Database from 'better-sqlite3';
import type { ReviewAnswer, ReviewRecord, ReviewStore } from '../review-store.js';
import { fromJsonText, toJsonText } from './json-columns.js';

interface ReviewRow {
  id: string;
  task_id: string;
  step_key: string;
  kind: string;
  question: string;
  payload: string | null;
  status: string;
  answer: string | null;
  created_at: number;
  answered_at: number | null;
}

interface ListParams {
  status: string | null;
  taskId: string | null;
  before: string | null;
  limit: number;
}

/** The ReviewStore on a SQLite database migrated by `applyMigrations`. */
export class SqliteReviewStore implements ReviewStore {
  readonly #insert: Database.Statement<[ReviewRow]>;
  readonly #get: Database.Statement<[string], ReviewRow>;
  readonly #getByStep: Database.Statement<[string, string], ReviewRow>;
  readonly #list: Database.Statement<[ListParams], ReviewRow>;
  readonly #answer: Database.Statement<[{ id: string; answer: string; answeredAt: number }]>;
  readonly #cancelPending: Database.Statement<[{ taskId: string; at: number }]>;

  constructor(db: Database.Database) {
    // A second open of the same (task, step), e.g. after a crash, keeps the first request.
    this.#insert = db.prepare(`
      INSERT INTO reviews (id, task_id, step_key, kind, question, payload, status, answer, created_at, answered_at)
      VALUES (@id, @task_id, @step_key, @kind, @question, @payload, @status, @answer, @created_at, @answered_at)
      ON CONFLICT (task_id, step_key) DO NOTHING
    `);
    this.#get = db.prepare('SELECT * FROM reviews WHERE id = ?');
    this.#getByStep = db.prepare('SELECT * FROM reviews WHERE task_id = ? AND step_key = ?');
    this.#list = db.prepare(`
      SELECT * FROM reviews
      WHERE (@status IS NULL OR status = @status)
        AND (@taskId IS NULL OR task_id = @taskId)
        AND (@before IS NULL OR (created_at, id) < (SELECT created_at, id FROM reviews WHERE id = @before))
      ORDER BY created_at DESC, id DESC
      LIMIT @limit
    `);
    this.#answer = db.prepare(`
      UPDATE reviews SET status = 'answered', answer = @answer, answered_at = @answeredAt
      WHERE id = @id AND status = 'pending'
    `);
    this.#cancelPending = db.prepare(`
      UPDATE reviews SET status = 'cancelled', answered_at = @at
      WHERE task_id = @taskId AND status = 'pending'
    `);
  }

  /** Creates the review unless one exists for its (taskId, stepKey); returns the stored review. */
  async open(review: ReviewRecord): Promise<ReviewRecord> {
    this.#insert.run({
      id: review.id,
      task_id: review.taskId,
      step_key: review.stepKey,
      kind: review.kind,
      question: review.question,
      payload: toJsonText(review.payload),
      status: review.status,
      answer: toJsonText(review.answer),
      created_at: review.createdAt,
      answered_at: review.answeredAt,
    });
    return toReview(this.#getByStep.get(review.taskId, review.stepKey) as ReviewRow);
  }

  /** The review, or null. */
  async get(id: string): Promise<ReviewRecord | null> {
    const row = this.#get.get(id);
    return row === undefined ? null : toReview(row);
  }

  /** The review a task's step waits on, or null. */
  async getByStep(taskId: string, stepKey: string): Promise<ReviewRecord | null> {
    const row = this.#getByStep.get(taskId, stepKey);
    return row === undefined ? null : toReview(row);
  }

  /** Newest first; `before` is an exclusive cursor (the id of the last review seen). */
  async list(query: Parameters<ReviewStore['list']>[0]): Promise<ReviewRecord[]> {
    return this.#list
      .all({
        status: query.status ?? null,
        taskId: query.taskId ?? null,
        before: query.before ?? null,
        limit: query.limit,
      })
      .map(toReview);
  }

  /** Answers a pending review; returns it updated, or null when it is missing or no longer pending. */
  async answer(id: string, answer: ReviewAnswer, answeredAt: number): Promise<ReviewRecord | null> {
    const changed = this.#answer.run({ id, answer: JSON.stringify(answer), answeredAt }).changes;
    return changed === 1 ? this.get(id) : null;
  }

  /** Marks a task's pending reviews cancelled (its task was cancelled); returns how many. */
  async cancelPending(taskId: string, at: number): Promise<number> {
    return this.#cancelPending.run({ taskId, at }).changes;
  }
}

function toReview(row: ReviewRow): ReviewRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    stepKey: row.step_key,
    kind: row.kind,
    question: row.question,
    payload: fromJsonText(row.payload),
    status: row.status as ReviewRecord['status'],
    answer: fromJsonText<ReviewAnswer>(row.answer),
    createdAt: row.created_at,
    answeredAt: row.answered_at,
  };
}
