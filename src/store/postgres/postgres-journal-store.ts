import type pg from 'pg';
import type { Json } from '../../core/json.js';
import type { JournalStore, StepRecord, StepStart } from '../journal-store.js';
import { isUniqueViolation, storeConflict } from './pg-errors.js';
import { namedStatement, nullableJsonParam, textParam } from './pg-query.js';

interface StepRow {
  task_id: string;
  key: string;
  name: string;
  status: string;
  output: Json | null;
  error: { code: string; message: string } | null;
  started_at: number;
  finished_at: number;
}

interface StartRow {
  task_id: string;
  key: string;
  name: string;
  started_at: number;
}

const STEP_COLUMNS = 'task_id, key, name, status, output, error, started_at, finished_at';

const insertStep = namedStatement(
  'step_insert',
  `INSERT INTO steps (${STEP_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)`,
);
const getStep = namedStatement(
  'step_get',
  `SELECT ${STEP_COLUMNS} FROM steps WHERE task_id = $1 AND key = $2`,
);
// seq (insertion order) breaks ties on finished_at, as SQLite's rowid does.
const listSteps = namedStatement(
  'step_list',
  `SELECT ${STEP_COLUMNS} FROM steps WHERE task_id = $1 ORDER BY finished_at, seq`,
);
const markStarted = namedStatement(
  'step_mark_started',
  `INSERT INTO step_starts (task_id, key, name, started_at) VALUES ($1, $2, $3, $4)
   ON CONFLICT (task_id, key) DO NOTHING`,
);
const listStarted = namedStatement(
  'step_list_started',
  'SELECT task_id, key, name, started_at FROM step_starts WHERE task_id = $1 ORDER BY key',
);

/** The JournalStore on PostgreSQL; every write is committed when its promise resolves. */
export class PostgresJournalStore implements JournalStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Records a finished step; throws `store.conflict` if (taskId, key) is already recorded. */
  async record(step: StepRecord): Promise<void> {
    try {
      await this.#pool.query(
        insertStep([
          step.taskId,
          step.key,
          textParam(step.name),
          step.status,
          nullableJsonParam(step.output),
          nullableJsonParam(step.error),
          step.startedAt,
          step.finishedAt,
        ]),
      );
    } catch (error) {
      // Another run of the same task (maybe in another process) got here first; the journal keeps
      // the first record so replay stays deterministic.
      if (isUniqueViolation(error)) {
        throw storeConflict(`step ${step.key} of task '${step.taskId}' is already recorded`, error);
      }
      throw error;
    }
  }

  /** The recorded step, or null. */
  async get(taskId: string, key: string): Promise<StepRecord | null> {
    const { rows } = await this.#pool.query<StepRow>(getStep([taskId, key]));
    return rows[0] ? toStepRecord(rows[0]) : null;
  }

  /** All recorded steps of a task, in the order they finished. */
  async list(taskId: string): Promise<StepRecord[]> {
    const { rows } = await this.#pool.query<StepRow>(listSteps([taskId]));
    return rows.map(toStepRecord);
  }

  /** Marks a step as started; a second mark of the same step keeps the first. */
  async markStarted(start: StepStart): Promise<void> {
    await this.#pool.query(markStarted([start.taskId, start.key, start.name, start.startedAt]));
  }

  /** The start marks of a task, in key order. */
  async listStarted(taskId: string): Promise<StepStart[]> {
    const { rows } = await this.#pool.query<StartRow>(listStarted([taskId]));
    return rows.map((row) => ({
      taskId: row.task_id,
      key: row.key,
      name: row.name,
      startedAt: row.started_at,
    }));
  }
}

function toStepRecord(row: StepRow): StepRecord {
  return {
    taskId: row.task_id,
    key: row.key,
    name: row.name,
    status: row.status as StepRecord['status'],
    output: row.output,
    error: row.error,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
