import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { HrTime } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { Json } from '../../core/json.js';
import type { SpanRecord, TraceStore } from '../../store/trace-store.js';
import { ATTR } from '../attributes.js';
import type { ReadableSpan, SpanExporter } from '../span-exporter.js';

/** Exports OpenTelemetry spans into agentd's TraceStore, so `tasks show --spans` can read them. */
export class StoreSpanExporter implements SpanExporter {
  readonly #traces: TraceStore;

  constructor(options: { traces: TraceStore }) {
    this.#traces = options.traces;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.#traces.insert(spans.map(toRecord)).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error: unknown) =>
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        }),
    );
  }

  async shutdown(): Promise<void> {}
}

function toRecord(span: ReadableSpan): SpanRecord {
  const context = span.spanContext();
  const attributes: Record<string, Json> = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (value !== undefined) attributes[key] = value as Json;
  }
  const taskId = span.attributes[ATTR.taskId];
  return {
    spanId: context.spanId,
    traceId: context.traceId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    taskId: typeof taskId === 'string' ? taskId : null,
    name: span.name,
    kind: String(span.attributes[ATTR.spanKind] ?? 'internal'),
    startTime: hrToMs(span.startTime),
    endTime: hrToMs(span.endTime),
    status: span.status.code === SpanStatusCode.ERROR ? 'error' : 'ok',
    statusMessage: span.status.message ?? null,
    attributes,
  };
}

function hrToMs(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}
