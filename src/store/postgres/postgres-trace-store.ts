import type pg from 'pg';
import type { Json } from '../../core/json.js';
import type { SpanRecord, TraceStore } from '../trace-store.js';
import { jsonParam, namedStatement } from './pg-query.js';

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
  attributes: Record<string, Json>;
}

const COLUMNS = `span_id, trace_id, parent_span_id, task_id, name, kind, start_time, end_time, status,
  status_message, attributes`;

// A batch is one statement over one JSON parameter (no limit on parameters, all or nothing, one
// round trip). DO NOTHING: exporters retry whole batches, so a span already stored is expected.
const insertSpans = namedStatement(
  'span_insert_batch',
  `INSERT INTO spans (${COLUMNS})
   SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS batch (
     span_id text, trace_id text, parent_span_id text, task_id text, name text, kind text,
     start_time float8, end_time float8, status text, status_message text, attributes jsonb
   )
   ON CONFLICT (span_id) DO NOTHING`,
);
// Ties on start time put the enclosing (longer) span first, then the id keeps the order stable.
const listByTask = namedStatement(
  'span_list_by_task',
  `SELECT ${COLUMNS} FROM spans WHERE task_id = $1 ORDER BY start_time, end_time DESC, span_id`,
);

/** The TraceStore on PostgreSQL. */
export class PostgresTraceStore implements TraceStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Inserts spans; a span id already stored is ignored (exporters may retry). */
  async insert(spans: SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    await this.#pool.query(insertSpans([jsonParam(spans.map(toSpanRow))]));
  }

  /** The spans of one task, ordered by start time. */
  async listByTask(taskId: string): Promise<SpanRecord[]> {
    const { rows } = await this.#pool.query<SpanRow>(listByTask([taskId]));
    return rows.map(toSpanRecord);
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
    attributes: span.attributes,
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
    attributes: row.attributes,
  };
}
