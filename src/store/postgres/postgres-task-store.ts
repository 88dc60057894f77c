import type pg from 'pg';
import { AgentdError, notFound } from '../../core/errors.js';
import '../../executor/executor-error-codes.js';
import type { TaskEvent } from '../../core/events.js';
import type { Json } from '../../core/json.js';
import { FINISHED_TASK_STATUSES } from '../task-store.js';
import type {
  FinishedTaskStatus,
  TaskDeletion,
  TaskPatch,
  TaskRecord,
  TaskStatus,
  TaskStore,
} from '../task-store.js';
import { isUniqueViolation, storeConflict } from './pg-errors.js';
import { inTransaction, jsonParam, namedStatement, nullableJsonParam, textParam } from './pg-query.js';

interface TaskRow {
  id: string;
  status: string;
  prompt: string;
  input: Json;
  output: string | null;
  error: { code: string; message: string } | null;
  result: Json | null;
  simulated: boolean;
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
  data: Json;
}

const COLUMNS = `id, status, prompt, input, output, error, result, simulated, owner, heartbeat_at, created_at,
  started_at, finished_at, config_fingerprint, config_path`;

/** The patchable fields and their columns (JSON ones are cast from their text). */
const PATCH_COLUMNS: Record<keyof TaskPatch, { column: string; cast?: string }> = {
  status: { column: 'status' },
  output: { column: 'output' },
  error: { column: 'error', cast: 'jsonb' },
  result: { column: 'result', cast: 'jsonb' },
  simulated: { column: 'simulated' },
  startedAt: { column: 'started_at' },
  finishedAt: { column: 'finished_at' },
};

// `before` names a row; comparing the (created_at, id) pair pages ties on created_at correctly, and
// an unknown cursor id makes the comparison NULL, so the page is empty (as in SQLite).
const BEFORE = '(created_at, id) < (SELECT created_at, id FROM tasks WHERE id = $before)';

const insertTask = namedStatement(
  'task_insert',
  `INSERT INTO tasks (${COLUMNS})
   VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15)`,
);
const getTask = namedStatement('task_get', `SELECT ${COLUMNS} FROM tasks WHERE id = $1`);
// One conditional write, so two runners racing for a task cannot both take it: the second UPDATE
// waits for the first one's row lock and then re-checks the WHERE clause against the committed row
// (READ COMMITTED re-evaluation), which no longer matches. Race-free across processes.
const claimTask = namedStatement(
  'task_claim',
  `UPDATE tasks SET status = 'running', owner = $2, heartbeat_at = $3, started_at = COALESCE(started_at, $3)
   WHERE id = $1 AND (status = 'queued'
     OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $4)))`,
);
// The queue's dequeue: the oldest claimable tasks whose rows no other claimer holds right now (SKIP
// LOCKED: concurrent workers take different tasks instead of queueing on the same rows; a row a
// concurrent claim changed is re-checked against the WHERE clause once locked).
const claimNextTasks = namedStatement(
  'task_claim_next',
  `WITH next AS (
     SELECT id FROM tasks
     WHERE (status = 'queued' OR (status = 'running' AND (heartbeat_at IS NULL OR heartbeat_at < $3)))
       AND ($5::text IS NULL OR config_fingerprint = $5)
     ORDER BY created_at, id
     LIMIT $4
     FOR UPDATE SKIP LOCKED
   )
   UPDATE tasks AS t SET status = 'running', owner = $1, heartbeat_at = $2,
     started_at = COALESCE(t.started_at, $2)
   FROM next WHERE t.id = next.id
   RETURNING t.id, t.created_at`,
);
const heartbeatTasks = namedStatement(
  'task_heartbeat',
  `UPDATE tasks SET heartbeat_at = $2 WHERE owner = $1 AND status IN ('running', 'waiting')`,
);
// The counter on the task row is bumped and the event written by one statement: the row lock
// orders concurrent appends, and a missing task inserts nothing (and returns no row).
const appendEvent = namedStatement(
  'task_event_append',
  `WITH next AS (UPDATE tasks SET event_seq = event_seq + 1 WHERE id = $1 RETURNING event_seq)
   INSERT INTO task_events (task_id, seq, type, time, data)
   SELECT $1, event_seq, $2, $3, $4::jsonb FROM next
   RETURNING seq`,
);
const listEvents = namedStatement(
  'task_events_list',
  'SELECT seq, type, time, data FROM task_events WHERE task_id = $1 AND seq > $2 ORDER BY seq',
);

const listFinished = namedStatement(
  'tasks_list_finished',
  `SELECT ${COLUMNS} FROM tasks
   WHERE status = ANY($1::text[]) AND status IN ('succeeded', 'failed', 'cancelled')
     AND COALESCE(finished_at, created_at) < $2
   ORDER BY COALESCE(finished_at, created_at), id
   LIMIT $3`,
);

/** The TaskStore on PostgreSQL: the shared queue of every process using the database. */
export class PostgresTaskStore implements TaskStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Inserts a new task; throws `store.conflict` if the id exists. */
  async create(task: TaskRecord): Promise<void> {
    try {
      await this.#pool.query(
        insertTask([
          task.id,
          task.status,
          textParam(task.prompt),
          // `input` may itself be JSON null, which must survive as the JSON value null.
          jsonParam(task.input),
          textParam(task.output),
          nullableJsonParam(task.error),
          nullableJsonParam(task.result),
          task.simulated,
          task.owner,
          task.heartbeatAt,
          task.createdAt,
          task.startedAt,
          task.finishedAt,
          task.origin?.configFingerprint ?? null,
          task.origin?.configPath ?? null,
        ]),
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw storeConflict(`task '${task.id}' already exists`, error);
      throw error;
    }
  }

  /** The task, or null. */
  async get(id: string): Promise<TaskRecord | null> {
    const { rows } = await this.#pool.query<TaskRow>(getTask([id]));
    return rows[0] ? toTaskRecord(rows[0]) : null;
  }

  /** Newest first; `before` is the id of the last row seen (exclusive). */
  async list(query: {
    status?: TaskStatus[];
    limit: number;
    before?: string;
    tenant?: { name: string; includeUntenanted: boolean };
  }): Promise<TaskRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };
    // Only the filters given enter the statement, so each shape gets its own plan (and index).
    if (query.status !== undefined) where.push(`status = ANY(${param(query.status)}::text[])`);
    if (query.tenant) {
      // A task's tenant lives in its input; absent, it runs in the default tenant, which
      // `includeUntenanted` names when the caller's tenant is that default.
      const untenanted = query.tenant.includeUntenanted ? query.tenant.name : null;
      where.push(`COALESCE(input ->> 'tenant', ${param(untenanted)}::text) = ${param(query.tenant.name)}`);
    }
    if (query.before !== undefined) where.push(BEFORE.replace('$before', param(query.before)));
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const { rows } = await this.#pool.query<TaskRow>(
      `SELECT ${COLUMNS} FROM tasks ${clause} ORDER BY created_at DESC, id DESC LIMIT ${param(query.limit)}`,
      values,
    );
    return rows.map(toTaskRecord);
  }

  /** Applies the patch; returns the updated task, or null when no such task exists. */
  async update(id: string, patch: TaskPatch): Promise<TaskRecord | null> {
    const { sets, values } = patchSql(patch, [id]);
    if (sets.length === 0) return this.get(id);
    const { rows } = await this.#pool.query<TaskRow>(
      `UPDATE tasks SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`,
      values,
    );
    return rows[0] ? toTaskRecord(rows[0]) : null;
  }

  /** Sets `status` to `to` only if it currently is one of `from`; returns whether it changed. */
  async transition(id: string, from: TaskStatus[], to: TaskStatus, patch: TaskPatch = {}): Promise<boolean> {
    // The `from` guard makes a transition one conditional write: of two racing transitions the
    // second re-checks the status after the first commits, and finds it changed.
    const { sets, values } = patchSql({ ...patch, status: to }, [id, from]);
    const result = await this.#pool.query(
      `UPDATE tasks SET ${sets.join(', ')} WHERE id = $1 AND status = ANY($2::text[])`,
      values,
    );
    return result.rowCount === 1;
  }

  /** Takes the task's lease if it is queued or its lease is stale; returns whether it was taken. */
  async claim(id: string, lease: { owner: string; now: number; staleBefore: number }): Promise<boolean> {
    // Infinity (a dead local owner) is no bigint; any time after `now` means "stale".
    const staleBefore = Number.isFinite(lease.staleBefore) ? lease.staleBefore : Number.MAX_SAFE_INTEGER;
    const result = await this.#pool.query(claimTask([id, lease.owner, lease.now, staleBefore]));
    return result.rowCount === 1;
  }

  /**
   * Postgres only (not in the TaskStore contract): takes up to `limit` tasks for `owner` in one
   * statement, the oldest first, among those queued or running under a lease renewed before
   * `staleBefore` (and, with `configFingerprint`, started with that config); marks them running and
   * returns their ids. Workers sharing the database each get different tasks, without waiting on one
   * another's rows.
   */
  async claimNext(lease: {
    owner: string;
    now: number;
    staleBefore: number;
    limit: number;
    configFingerprint?: string;
  }): Promise<string[]> {
    const staleBefore = Number.isFinite(lease.staleBefore) ? lease.staleBefore : Number.MAX_SAFE_INTEGER;
    const { rows } = await this.#pool.query<{ id: string; created_at: number }>(
      claimNextTasks([lease.owner, lease.now, staleBefore, lease.limit, lease.configFingerprint ?? null]),
    );
    return rows
      .sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((row) => row.id);
  }

  /** Renews the lease of every running task the owner holds. */
  async heartbeat(lease: { owner: string; now: number }): Promise<void> {
    await this.#pool.query(heartbeatTasks([lease.owner, lease.now]));
  }

  /** Appends an event; assigns and returns its per-task sequence number (1, 2, …). */
  async appendEvent(taskId: string, event: Omit<TaskEvent, 'seq'>): Promise<number> {
    const { rows } = await this.#pool.query<{ seq: number }>(
      appendEvent([taskId, event.type, event.time, jsonParam(event.data)]),
    );
    if (!rows[0]) throw notFound('task', taskId);
    return rows[0].seq;
  }

  /** Finished tasks that finished before `finishedBefore`, oldest first (see TaskStore). */
  async listFinishedBefore(query: {
    finishedBefore: number;
    status?: readonly FinishedTaskStatus[];
    limit: number;
  }): Promise<TaskRecord[]> {
    const { rows } = await this.#pool.query<TaskRow>(
      listFinished([[...(query.status ?? FINISHED_TASK_STATUSES)], query.finishedBefore, query.limit]),
    );
    return rows.map(toTaskRecord);
  }

  /**
   * Deletes a finished task and what is recorded under its id in one transaction (see TaskStore).
   * The task row is locked first (`FOR UPDATE`), so a resume racing the delete either sees no task
   * or waits until the delete has committed or rolled back.
   */
  async deleteFinished(id: string, at: number): Promise<TaskDeletion | null> {
    return inTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<{ status: string }>(
        'SELECT status FROM tasks WHERE id = $1 FOR UPDATE',
        [id],
      );
      const row = rows[0];
      if (row === undefined) return null;
      if (!(FINISHED_TASK_STATUSES as readonly string[]).includes(row.status)) {
        throw new AgentdError({
          code: 'task.not_finished',
          message: `task ${id} is ${row.status}; only a finished (succeeded, failed or cancelled) task can be deleted — cancel it first`,
          details: { id, status: row.status },
        });
      }
      const remove = async (table: string): Promise<number> =>
        (await client.query(`DELETE FROM ${table} WHERE task_id = $1`, [id])).rowCount ?? 0;
      // Start marks go with their steps (marks, not records: not counted).
      await remove('step_starts');
      const deletion: TaskDeletion = {
        events: await remove('task_events'),
        steps: await remove('steps'),
        spans: await remove('spans'),
        reviews: await remove('reviews'),
        verdicts: await remove('verdicts'),
        costRowsMarked:
          (
            await client.query(
              'UPDATE cost_ledger SET pruned_at = $2 WHERE task_id = $1 AND pruned_at IS NULL',
              [id, at],
            )
          ).rowCount ?? 0,
      };
      await client.query('DELETE FROM tasks WHERE id = $1', [id]);
      return deletion;
    });
  }

  /** Events with seq > afterSeq, in order. */
  async listEvents(taskId: string, afterSeq = 0): Promise<TaskEvent[]> {
    const { rows } = await this.#pool.query<EventRow>(listEvents([taskId, afterSeq]));
    return rows.map((row) => ({ type: row.type, seq: row.seq, time: row.time, data: row.data }) as TaskEvent);
  }
}

/** The SET list of a patch, its values appended after `values`; a key present as undefined counts as absent. */
function patchSql(patch: TaskPatch, values: unknown[]): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  for (const key of Object.keys(PATCH_COLUMNS) as (keyof TaskPatch)[]) {
    const value = patch[key];
    if (value === undefined) continue;
    const { column, cast } = PATCH_COLUMNS[key];
    values.push(
      cast === 'jsonb' ? nullableJsonParam(value) : typeof value === 'string' ? textParam(value) : value,
    );
    sets.push(`${column} = $${values.length}${cast ? `::${cast}` : ''}`);
  }
  return { sets, values };
}

function toTaskRecord(row: TaskRow): TaskRecord {
  return {
    id: row.id,
    status: row.status as TaskStatus,
    prompt: row.prompt,
    input: row.input,
    output: row.output,
    error: row.error,
    result: row.result,
    simulated: row.simulated,
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
