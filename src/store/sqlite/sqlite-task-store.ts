import type Database from 'better-sqlite3';
import { notFound } from '../../core/errors.js';
import '../../executor/executor-error-codes.js';
import type { TaskEvent } from '../../core/events.js';
import type { Json } from '../../core/json.js';
import { AgentdError } from '../../core/errors.js';
import { FINISHED_TASK_STATUSES } from '../task-store.js';
import type {
  FinishedTaskStatus,
  TaskDeletion,
  TaskPatch,
  TaskRecord,
  TaskStatus,
  TaskStore,
} from '../task-store.js';
import { groupCommitOf } from './group-commit.js';
import type { GroupCommit } from './group-commit.js';
import { fromJsonText, toJsonText } from './json-columns.js';
import { isForeignKeyViolation, isUniqueViolation, storeConflict } from './sqlite-errors.js';

interface TaskRow {
  id: string;
  status: string;
  prompt: string;
  input: string;
  output: string | null;
  error: string | null;
  result: string | null;
  simulated: number;
  owner: string | null;
  heartbeat_at: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  config_fingerprint: string | null;
  config_path: string | null;
}

interface EventRow {
  seq: number;
  type: string;
  time: number;
  data: string;
}

/** Bind parameters of the one UPDATE behind both `update` and `transition`. */
interface PatchParams {
  id: string;
  /** JSON array of allowed current statuses, or null for an unconditional update. */
  from: string | null;
  setStatus: number;
  status: string | null;
  setOutput: number;
  output: string | null;
  setError: number;
  error: string | null;
  setResult: number;
  result: string | null;
  setSimulated: number;
  simulated: number | null;
  setStartedAt: number;
  startedAt: number | null;
  setFinishedAt: number;
  finishedAt: number | null;
}

/** The TaskStore on a SQLite database migrated by `applyMigrations`. */
export class SqliteTaskStore implements TaskStore {
  readonly #insert: Database.Statement<[TaskRow]>;
  readonly #get: Database.Statement<[string], TaskRow>;
  readonly #list: Database.Statement<[{ before: string | null; limit: number }], TaskRow>;
  readonly #listByStatus: Database.Statement<
    [{ statuses: string; before: string | null; limit: number }],
    TaskRow
  >;
  readonly #listByTenant: Database.Statement<
    [
      {
        statuses: string | null;
        tenant: string;
        untenanted: string | null;
        before: string | null;
        limit: number;
      },
    ],
    TaskRow
  >;
  readonly #patch: Database.Statement<[PatchParams]>;
  readonly #update: (id: string, patch: TaskPatch) => Promise<TaskRecord | null>;
  readonly #appendEvent: (taskId: string, event: Omit<TaskEvent, 'seq'>) => Promise<number>;
  readonly #listEvents: Database.Statement<[string, number], EventRow>;
  readonly #claim: Database.Statement<[{ id: string; owner: string; now: number; staleBefore: number }]>;
  readonly #heartbeat: Database.Statement<[{ owner: string; now: number }]>;
  readonly #group: GroupCommit;
  readonly #listFinished: Database.Statement<
    [{ statuses: string; finishedBefore: number; limit: number }],
    TaskRow
  >;
  readonly #deleteFinished: (id: string, at: number) => TaskDeletion | null;

  constructor(db: Database.Database) {
    this.#group = groupCommitOf(db);
    this.#insert = db.prepare(`
      INSERT INTO tasks (id, status, prompt, input, output, error, result, simulated, owner, heartbeat_at, created_at, started_at, finished_at, config_fingerprint, config_path)
      VALUES (@id, @status, @prompt, @input, @output, @error, @result, @simulated, @owner, @heartbeat_at, @created_at, @started_at, @finished_at, @config_fingerprint, @config_path)
    `);
    this.#get = db.prepare('SELECT * FROM tasks WHERE id = ?');
    // `before` names a row; comparing the (created_at, id) pair makes ties on created_at page
    // correctly. An unknown cursor id makes the comparison NULL, so the page is empty.
    const before =
      '(@before IS NULL OR (created_at, id) < (SELECT created_at, id FROM tasks WHERE id = @before))';
    this.#list = db.prepare(`
      SELECT * FROM tasks WHERE ${before} ORDER BY created_at DESC, id DESC LIMIT @limit
    `);
    // A statement of its own, because SQLite plans a statement once: with an optional status
    // filter (`@statuses IS NULL OR …`) it would walk every task to find the few running ones.
    this.#listByStatus = db.prepare(`
      SELECT * FROM tasks
      WHERE status IN (SELECT value FROM json_each(@statuses)) AND ${before}
      ORDER BY created_at DESC, id DESC
      LIMIT @limit
    `);
    // Tenant-bound callers only: a task's tenant lives in its input (absent: the default tenant,
    // which `untenanted` names when the caller's tenant is that default). No index: a scan.
    this.#listByTenant = db.prepare(`
      SELECT * FROM tasks
      WHERE (@statuses IS NULL OR status IN (SELECT value FROM json_each(@statuses)))
        AND COALESCE(json_extract(input, '$.tenant'), @untenanted) = @tenant AND ${before}
      ORDER BY created_at DESC, id DESC
      LIMIT @limit
    `);
    // One statement for every patch shape (each column keeps its value unless its set-flag is
    // on, so an explicit null still clears it), and the `from` guard makes a transition a
    // single conditional write: two racing transitions cannot both see the old status.
    this.#patch = db.prepare(`
      UPDATE tasks SET
        status      = CASE WHEN @setStatus     THEN @status     ELSE status      END,
        output      = CASE WHEN @setOutput     THEN @output     ELSE output      END,
        error       = CASE WHEN @setError      THEN @error      ELSE error       END,
        result      = CASE WHEN @setResult     THEN @result     ELSE result      END,
        simulated   = CASE WHEN @setSimulated  THEN @simulated  ELSE simulated   END,
        started_at  = CASE WHEN @setStartedAt  THEN @startedAt  ELSE started_at  END,
        finished_at = CASE WHEN @setFinishedAt THEN @finishedAt ELSE finished_at END
      WHERE id = @id AND (@from IS NULL OR status IN (SELECT value FROM json_each(@from)))
    `);
    // Writes run inside the group commit's transaction (BEGIN IMMEDIATE, so it holds the write
    // lock): the patch and the read after it see no other writer in between, with no savepoint.
    this.#update = (id, patch) =>
      this.#group.write(() => {
        if (this.#patch.run(patchParams(id, null, patch)).changes === 0) return null;
        const row = this.#get.get(id);
        return row === undefined ? null : toTaskRecord(row);
      });
    // MAX(seq)+1 is computed and written by one statement under the write lock, so concurrent
    // appenders (other connections, other processes) never get the same seq.
    const insertEvent = db.prepare<
      [{ taskId: string; type: string; time: number; data: string }],
      { seq: number }
    >(`
      INSERT INTO task_events (task_id, seq, type, time, data)
      SELECT @taskId, COALESCE(MAX(seq), 0) + 1, @type, @time, @data FROM task_events WHERE task_id = @taskId
      RETURNING seq
    `);
    this.#appendEvent = async (taskId, event) => {
      const params = { taskId, type: event.type, time: event.time, data: JSON.stringify(event.data) };
      const row = await this.#group.write(() => insertEvent.get(params));
      if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
      return row.seq;
    };
    // One conditional write, so two runners racing for a stale task cannot both take it.
    this.#claim = db.prepare(`
      UPDATE tasks SET status = 'running', owner = @owner, heartbeat_at = @now,
        started_at = COALESCE(started_at, @now)
      WHERE id = @id AND (status = 'queued'
        OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < @staleBefore)))
    `);
    this.#heartbeat = db.prepare(
      "UPDATE tasks SET heartbeat_at = @now WHERE owner = @owner AND status IN ('running', 'waiting')",
    );
    this.#listEvents = db.prepare(
      'SELECT seq, type, time, data FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq',
    );
    // The status filter is intersected with the finished statuses, so no caller can list (and
    // then delete) a task that is still going.
    this.#listFinished = db.prepare(`
      SELECT * FROM tasks
      WHERE status IN (SELECT value FROM json_each(@statuses))
        AND status IN ('succeeded', 'failed', 'cancelled')
        AND COALESCE(finished_at, created_at) < @finishedBefore
      ORDER BY COALESCE(finished_at, created_at), id
      LIMIT @limit
    `);
    this.#deleteFinished = deleteFinishedTask(db);
  }

  /** Inserts a new task; throws `store.conflict` if the id exists. */
  async create(task: TaskRecord): Promise<void> {
    try {
      await this.#group.write(() =>
        this.#insert.run({
          id: task.id,
          status: task.status,
          prompt: task.prompt,
          // `input` may itself be JSON null, which must survive as the text `null`.
          input: JSON.stringify(task.input),
          output: task.output,
          error: toJsonText(task.error),
          result: toJsonText(task.result),
          simulated: task.simulated ? 1 : 0,
          owner: task.owner,
          heartbeat_at: task.heartbeatAt,
          created_at: task.createdAt,
          started_at: task.startedAt,
          finished_at: task.finishedAt,
          config_fingerprint: task.origin?.configFingerprint ?? null,
          config_path: task.origin?.configPath ?? null,
        }),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw storeConflict(`task '${task.id}' already exists`, error);
      throw error;
    }
  }

  /** The task, or null. */
  async get(id: string): Promise<TaskRecord | null> {
    const row = this.#get.get(id);
    return row === undefined ? null : toTaskRecord(row);
  }

  /** Newest first; `before` is the id of the last row seen (exclusive). */
  async list(query: {
    status?: TaskStatus[];
    limit: number;
    before?: string;
    tenant?: { name: string; includeUntenanted: boolean };
  }): Promise<TaskRecord[]> {
    const before = query.before ?? null;
    if (query.tenant) {
      return this.#listByTenant
        .all({
          statuses: query.status === undefined ? null : JSON.stringify(query.status),
          tenant: query.tenant.name,
          untenanted: query.tenant.includeUntenanted ? query.tenant.name : null,
          before,
          limit: query.limit,
        })
        .map(toTaskRecord);
    }
    const rows =
      query.status === undefined
        ? this.#list.all({ before, limit: query.limit })
        : this.#listByStatus.all({ statuses: JSON.stringify(query.status), before, limit: query.limit });
    return rows.map(toTaskRecord);
  }

  /** Applies the patch; returns the updated task, or null when no such task exists. */
  async update(id: string, patch: TaskPatch): Promise<TaskRecord | null> {
    return this.#update(id, patch);
  }

  /** Sets `status` to `to` only if it currently is one of `from`; returns whether it changed. */
  async transition(id: string, from: TaskStatus[], to: TaskStatus, patch: TaskPatch = {}): Promise<boolean> {
    const params = patchParams(id, JSON.stringify(from), { ...patch, status: to });
    return (await this.#group.write(() => this.#patch.run(params))).changes === 1;
  }

  /** Takes the task's lease if it is queued or its lease is stale; returns whether it was taken. */
  async claim(id: string, lease: { owner: string; now: number; staleBefore: number }): Promise<boolean> {
    // Infinity (a dead local owner) is not a valid SQLite binding; any time after `now` means "stale".
    const staleBefore = Number.isFinite(lease.staleBefore) ? lease.staleBefore : Number.MAX_SAFE_INTEGER;
    const params = { id, owner: lease.owner, now: lease.now, staleBefore };
    return (await this.#group.write(() => this.#claim.run(params))).changes === 1;
  }

  /** Renews the lease of every running task the owner holds. */
  async heartbeat(lease: { owner: string; now: number }): Promise<void> {
    await this.#group.write(() => this.#heartbeat.run(lease));
  }

  /** Appends an event; assigns and returns its per-task sequence number (1, 2, …). */
  async appendEvent(taskId: string, event: Omit<TaskEvent, 'seq'>): Promise<number> {
    try {
      return await this.#appendEvent(taskId, event);
    } catch (error) {
      if (isForeignKeyViolation(error)) throw notFound('task', taskId);
      throw error;
    }
  }

  /** Finished tasks that finished before `finishedBefore`, oldest finish first. */
  async listFinishedBefore(query: {
    finishedBefore: number;
    status?: readonly FinishedTaskStatus[];
    limit: number;
  }): Promise<TaskRecord[]> {
    return this.#listFinished
      .all({
        statuses: JSON.stringify(query.status ?? FINISHED_TASK_STATUSES),
        finishedBefore: query.finishedBefore,
        limit: query.limit,
      })
      .map(toTaskRecord);
  }

  /** Deletes a finished task and what is recorded under its id in one transaction (see TaskStore). */
  async deleteFinished(id: string, at: number): Promise<TaskDeletion | null> {
    return this.#group.write(() => this.#deleteFinished(id, at));
  }

  /** Events with seq > afterSeq, in order. */
  async listEvents(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    return this.#listEvents
      .all(taskId, afterSeq)
      .map(
        (row) => ({ type: row.type, seq: row.seq, time: row.time, data: JSON.parse(row.data) }) as TaskEvent,
      );
  }
}

/**
 * The one transaction behind `deleteFinished`. It runs inside the group commit's transaction, so
 * better-sqlite3 makes it a savepoint: a failure undoes this task's deletes only, never half of them.
 */
function deleteFinishedTask(db: Database.Database): (id: string, at: number) => TaskDeletion | null {
  const status = db.prepare<[string], { status: string }>('SELECT status FROM tasks WHERE id = ?');
  const remove = (table: string) => db.prepare<[string]>(`DELETE FROM ${table} WHERE task_id = ?`);
  const events = remove('task_events');
  const steps = remove('steps');
  const stepStarts = remove('step_starts');
  const spans = remove('spans');
  const reviews = remove('reviews');
  const verdicts = remove('verdicts');
  const markCosts = db.prepare<[{ id: string; at: number }]>(
    'UPDATE cost_ledger SET pruned_at = @at WHERE task_id = @id AND pruned_at IS NULL',
  );
  const task = db.prepare<[string]>(
    "DELETE FROM tasks WHERE id = ? AND status IN ('succeeded', 'failed', 'cancelled')",
  );
  return db.transaction((id: string, at: number): TaskDeletion | null => {
    const row = status.get(id);
    if (row === undefined) return null;
    if (!(FINISHED_TASK_STATUSES as readonly string[]).includes(row.status))
      throw notFinished(id, row.status);
    // Start marks go with their steps (marks, not records: not counted).
    stepStarts.run(id);
    const deletion: TaskDeletion = {
      events: events.run(id).changes,
      steps: steps.run(id).changes,
      spans: spans.run(id).changes,
      reviews: reviews.run(id).changes,
      verdicts: verdicts.run(id).changes,
      costRowsMarked: markCosts.run({ id, at }).changes,
    };
    // Under the same write lock as the status read above, so this cannot miss; checked anyway.
    if (task.run(id).changes !== 1) throw new Error(`task ${id} changed while it was being deleted`);
    return deletion;
  });
}

function notFinished(id: string, status: string): AgentdError {
  return new AgentdError({
    code: 'task.not_finished',
    message: `task ${id} is ${status}; only a finished (succeeded, failed or cancelled) task can be deleted — cancel it first`,
    details: { id, status },
  });
}

function patchParams(id: string, from: string | null, patch: TaskPatch): PatchParams {
  // A key present with the value undefined counts as absent (objects built by spreading often
  // carry such keys); only an explicit null clears a column.
  const has = (key: keyof TaskPatch): number => (patch[key] !== undefined ? 1 : 0);
  return {
    id,
    from,
    setStatus: has('status'),
    status: patch.status ?? null,
    setOutput: has('output'),
    output: patch.output ?? null,
    setError: has('error'),
    error: toJsonText(patch.error ?? null),
    setResult: has('result'),
    result: toJsonText(patch.result ?? null),
    setSimulated: has('simulated'),
    simulated: patch.simulated === undefined ? null : patch.simulated ? 1 : 0,
    setStartedAt: has('startedAt'),
    startedAt: patch.startedAt ?? null,
    setFinishedAt: has('finishedAt'),
    finishedAt: patch.finishedAt ?? null,
  };
}

function toTaskRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    status: row.status as TaskStatus,
    prompt: row.prompt,
    input: JSON.parse(row.input) as Json,
    output: row.output,
    error: fromJsonText<{ code: string; message: string }>(row.error),
    result: fromJsonText(row.result),
    simulated: row.simulated === 1,
    owner: row.owner,
    heartbeatAt: row.heartbeat_at,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    // Absent rather than null, so a task stored without one reads back exactly as it was given.
    ...(row.config_fingerprint !== null
      ? { origin: { configFingerprint: row.config_fingerprint, configPath: row.config_path } }
      : {}),
  };
}
