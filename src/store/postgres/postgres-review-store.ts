import type pg from 'pg';
import type { Json } from '../../core/json.js';
import type { ReviewAnswer, ReviewRecord, ReviewStore } from '../review-store.js';
import { isUniqueViolation, storeConflict } from './pg-errors.js';
import { jsonParam, namedStatement, nullableJsonParam, textParam } from './pg-query.js';

interface ReviewRow {
  id: string;
  task_id: string;
  step_key: string;
  kind: string;
  question: string;
  payload: Json | null;
  status: string;
  answer: ReviewAnswer | null;
  created_at: number;
  answered_at: number | null;
}

const COLUMNS = 'id, task_id, step_key, kind, question, payload, status, answer, created_at, answered_at';

// A second open of the same (task, step), e.g. after a crash or by another process, keeps the first
// request. The inserted row is not visible to the statement's own SELECT, hence the UNION.
const openReview = namedStatement(
  'review_open',
  `WITH inserted AS (
     INSERT INTO reviews (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9, $10)
     ON CONFLICT (task_id, step_key) DO NOTHING
     RETURNING ${COLUMNS}
   )
   SELECT ${COLUMNS} FROM inserted
   UNION ALL
   SELECT ${COLUMNS} FROM reviews WHERE task_id = $2 AND step_key = $3 AND NOT EXISTS (SELECT 1 FROM inserted)`,
);
const getReview = namedStatement('review_get', `SELECT ${COLUMNS} FROM reviews WHERE id = $1`);
const getByStep = namedStatement(
  'review_get_by_step',
  `SELECT ${COLUMNS} FROM reviews WHERE task_id = $1 AND step_key = $2`,
);
const answerReview = namedStatement(
  'review_answer',
  `UPDATE reviews SET status = 'answered', answer = $2::jsonb, answered_at = $3
   WHERE id = $1 AND status = 'pending' RETURNING ${COLUMNS}`,
);
const cancelPending = namedStatement(
  'review_cancel_pending',
  `UPDATE reviews SET status = 'cancelled', answered_at = $2 WHERE task_id = $1 AND status = 'pending'`,
);

/** The ReviewStore on PostgreSQL. */
export class PostgresReviewStore implements ReviewStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Creates the review unless one exists for its (taskId, stepKey); returns the stored review. */
  async open(review: ReviewRecord): Promise<ReviewRecord> {
    try {
      const { rows } = await this.#pool.query<ReviewRow>(
        openReview([
          review.id,
          review.taskId,
          review.stepKey,
          textParam(review.kind),
          textParam(review.question),
          nullableJsonParam(review.payload),
          review.status,
          nullableJsonParam(review.answer),
          review.createdAt,
          review.answeredAt,
        ]),
      );
      if (rows[0]) return toReview(rows[0]);
    } catch (error) {
      if (isUniqueViolation(error)) throw storeConflict(`review '${review.id}' already exists`, error);
      throw error;
    }
    // The conflicting row was committed by another transaction after this statement's snapshot was
    // taken (the INSERT waited for it): a new statement sees it.
    return (await this.getByStep(review.taskId, review.stepKey)) ?? review;
  }

  /** The review, or null. */
  async get(id: string): Promise<ReviewRecord | null> {
    const { rows } = await this.#pool.query<ReviewRow>(getReview([id]));
    return rows[0] ? toReview(rows[0]) : null;
  }

  /** The review a task's step waits on, or null. */
  async getByStep(taskId: string, stepKey: string): Promise<ReviewRecord | null> {
    const { rows } = await this.#pool.query<ReviewRow>(getByStep([taskId, stepKey]));
    return rows[0] ? toReview(rows[0]) : null;
  }

  /** Newest first; `before` is an exclusive cursor (the id of the last review seen). */
  async list(query: Parameters<ReviewStore['list']>[0]): Promise<ReviewRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
    if (query.taskId !== undefined) where.push(`task_id = ${param(query.taskId)}`);
    if (query.before !== undefined) {
      where.push(`(created_at, id) < (SELECT created_at, id FROM reviews WHERE id = ${param(query.before)})`);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await this.#pool.query<ReviewRow>(
      `SELECT ${COLUMNS} FROM reviews ${clause} ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit)}`,
      values,
    );
    return rows.map(toReview);
  }

  /** Answers a pending review; returns it updated, or null when it is missing or no longer pending. */
  async answer(id: string, answer: ReviewAnswer, answeredAt: number): Promise<ReviewRecord | null> {
    const { rows } = await this.#pool.query<ReviewRow>(answerReview([id, jsonParam(answer), answeredAt]));
    return rows[0] ? toReview(rows[0]) : null;
  }

  /** Marks a task's pending reviews cancelled (its task was cancelled); returns how many. */
  async cancelPending(taskId: string, at: number): Promise<number> {
    return (await this.#pool.query(cancelPending([taskId, at]))).rowCount ?? 0;
  }
}

function toReview(row: ReviewRow): ReviewRecord {
  return {
    id: row.id,
    taskId: row.task_id,
    stepKey: row.step_key,
    kind: row.kind,
    question: row.question,
    payload: row.payload,
    status: row.status as ReviewRecord['status'],
    answer: row.answer,
    createdAt: row.created_at,
    answeredAt: row.answered_at,
  };
}
