import type { Json } from '../core/json.js';

/** A finished span as stored. Attribute names follow OpenTelemetry (GenAI conventions for model calls). */
export interface SpanRecord {
  spanId: string;
  traceId: string;
  parentSpanId: string | null;
  /** The task the span belongs to, or null for spans outside any task. */
  taskId: string | null;
  name: string;
  /** `task`, `agent`, `model`, `tool`, `step` — what kind of work the span covers. */
  kind: string;
  startTime: number;
  endTime: number;
  status: 'ok' | 'error';
  statusMessage: string | null;
  attributes: Record<string, Json>;
}

/** Persists spans. */
export interface TraceStore {
  /** Inserts spans; a span id already stored is ignored (exporters may retry). */
  insert(spans: SpanRecord[]): Promise<void>;
  /** The spans of one task, ordered by start time. */
  listByTask(taskId: string): Promise<SpanRecord[]>;
}
