import type Database from 'better-sqlite3';
import type { JournalStore, StepRecord, StepStart } from '../journal-store.js';
import { groupCommitOf } from './group-commit.js';
import type { GroupCommit } from './group-commit.js';
import { fromJsonText, toJsonText } from './json-columns.js';
import { isUniqueViolation, storeConflict } from './sqlite-errors.js';

interface StepRow {
  task_id: string;
  key: string;
  name: string;
  status: string;
  output: string | null;
  error: string | null;
  started_at: number;
  finished_at: number;
}

interface StartRow {
  task_id: string;
  key: string;
  name: string;
  started_at: number;
}

/** The JournalStore on a SQLite database migrated by `applyMigrations`. */
export class SqliteJournalStore implements JournalStore {
  readonly #insert: Database.Statement<[StepRow]>;
  readonly #get: Database.Statement<[string, string], StepRow>;
  readonly #list: Database.Statement<[string], StepRow>;
  readonly #markStarted: Database.Statement<[StartRow]>;
  readonly #listStarted: Database.Statement<[string], StartRow>;
  readonly #group: GroupCommit;

  constructor(db: Database.Database) {
    this.#group = groupCommitOf(db);
    this.#insert = db.prepare(`
      INSERT INTO steps (task_id, key, name, status, output, error, started_at, finished_at)
      VALUES (@task_id, @key, @name, @status, @output, @error, @started_at, @finished_at)
    `);
    this.#get = db.prepare('SELECT * FROM steps WHERE task_id = ? AND key = ?');
    this.#list = db.prepare('SELECT * FROM steps WHERE task_id = ? ORDER BY finished_at, rowid');
    this.#markStarted = db.prepare(`
      INSERT INTO step_starts (task_id, key, name, started_at) VALUES (@task_id, @key, @name, @started_at)
      ON CONFLICT (task_id, key) DO NOTHING
    `);
    this.#listStarted = db.prepare('SELECT * FROM step_starts WHERE task_id = ? ORDER BY key');
  }

  /** Records a finished step; throws `store.conflict` if (taskId, key) is already recorded. */
  async record(step: StepRecord): Promise<void> {
    const row: StepRow = {
      task_id: step.taskId,
      key: step.key,
      name: step.name,
      status: step.status,
      output: toJsonText(step.output),
      error: toJsonText(step.error),
      started_at: step.startedAt,
      finished_at: step.finishedAt,
    };
    try {
      await this.#group.write(() => this.#insert.run(row));
    } catch (error) {
      // A conflict means another run of the same task got here first; the journal keeps the
      // first record so replay stays deterministic.
      if (isUniqueViolation(error)) {
        throw storeConflict(`step ${step.key} of task '${step.taskId}' is already recorded`, error);
      }
      throw error;
    }
  }

  /** The recorded step, or null. */
  async get(taskId: string, key: string): Promise<StepRecord | null> {
    const row = this.#get.get(taskId, key);
    return row === undefined ? null : toStepRecord(row);
  }

  /** All recorded steps of a task, in the order they finished. */
  async list(taskId: string): Promise<StepRecord[]> {
    return this.#list.all(taskId).map(toStepRecord);
  }

  /** Marks a step as started; a second mark of the same step keeps the first. */
  async markStarted(start: StepStart): Promise<void> {
    const row: StartRow = {
      task_id: start.taskId,
      key: start.key,
      name: start.name,
      started_at: start.startedAt,
    };
    // Through the group commit: the mark shares the commit of the other writes of its turn, and is
    // durable when this resolves, so the step it guards runs only after the mark is on disk.
    await this.#group.write(() => this.#markStarted.run(row));
  }

  /** The start marks of a task, in key order. */
  async listStarted(taskId: string): Promise<StepStart[]> {
    return this.#listStarted
      .all(taskId)
      .map((row) => ({ taskId: row.task_id, key: row.key, name: row.name, startedAt: row.started_at }));
  }
}

function toStepRecord(row: StepRow): StepRecord {
  return {
    taskId: row.task_id,
    key: row.key,
    name: row.name,
    status: row.status as StepRecord['status'],
    output: fromJsonText(row.output),
    error: fromJsonText<{ code: string; message: string }>(row.error),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
