import type Database from 'better-sqlite3';
import type { Json } from '../../core/json.js';
import type { SpanRecord, TraceStore } from '../trace-store.js';
import { groupCommitOf } from './group-commit.js';
import type { GroupCommit } from './group-commit.js';

interface SpanRow {
  span_id: string;
  trace_id: string;
  parent_span_id: string | null;
  task_id: string | null;
  name: string;
  kind: string;
  start_time: number;
  end_time: number;
  status: string;
  status_message: string | null;
  attributes: string;
}

/** The TraceStore on a SQLite database migrated by `applyMigrations`. */
export class SqliteTraceStore implements TraceStore {
  readonly #insert: (spans: SpanRecord[]) => void;
  readonly #listByTask: Database.Statement<[string], SpanRow>;
  readonly #group: GroupCommit;

  constructor(db: Database.Database) {
    this.#group = groupCommitOf(db);
    // OR IGNORE: exporters retry whole batches, so a span already stored is expected, not an error.
    const insertSpan = db.prepare<[SpanRow]>(`
      INSERT OR IGNORE INTO spans
        (span_id, trace_id, parent_span_id, task_id, name, kind, start_time, end_time, status, status_message, attributes)
      VALUES
        (@span_id, @trace_id, @parent_span_id, @task_id, @name, @kind, @start_time, @end_time, @status, @status_message, @attributes)
    `);
    // All or nothing per batch (a savepoint inside the group commit's transaction).
    this.#insert = db.transaction((spans: SpanRecord[]) => {
      for (const span of spans) insertSpan.run(toSpanRow(span));
    });
    // Ties on start time put the enclosing (longer) span first, then fall back to the id so
    // the order is deterministic.
    this.#listByTask = db.prepare(
      'SELECT * FROM spans WHERE task_id = ? ORDER BY start_time, end_time DESC, span_id',
    );
  }

  /** Inserts spans; a span id already stored is ignored (exporters may retry). */
  async insert(spans: SpanRecord[]): Promise<void> {
    if (spans.length > 0) await this.#group.write(() => this.#insert(spans));
  }

  /** The spans of one task, ordered by start time. */
  async listByTask(taskId: string): Promise<SpanRecord[]> {
    return this.#listByTask.all(taskId).map(toSpanRecord);
  }
}

function toSpanRow(span: SpanRecord): SpanRow {
  return {
    span_id: span.spanId,
    trace_id: span.traceId,
    parent_span_id: span.parentSpanId,
    task_id: span.taskId,
    name: span.name,
    kind: span.kind,
    start_time: span.startTime,
    end_time: span.endTime,
    status: span.status,
    status_message: span.statusMessage,
    attributes: JSON.stringify(span.attributes),
  };
}

function toSpanRecord(row: SpanRow): SpanRecord {
  return {
    spanId: row.span_id,
    traceId: row.trace_id,
    parentSpanId: row.parent_span_id,
    taskId: row.task_id,
    name: row.name,
    kind: row.kind,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as SpanRecord['status'],
    statusMessage: row.status_message,
    attributes: JSON.parse(row.attributes) as Record<string, Json>,
  };
}
