import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR } from './attributes.js';
import type { SpanKindName } from './attributes.js';
import type { SpanExporter } from './span-exporter.js';

/** A span being recorded. */
export interface SpanHandle {
  readonly spanId: string;
  setAttributes(attributes: Attributes): void;
  /** Ends the span; an error sets status `error` with its message and `error.type`. */
  end(error?: { code: string; message: string }): void;
}

/** Starts spans for tasks, agents, model calls and tool calls. */
export interface Tracer {
  startSpan(
    name: string,
    options: { kind: SpanKindName; taskId?: string; parent?: SpanHandle; attributes?: Attributes },
  ): SpanHandle;
  /** Exports every ended span now (e.g. at the end of a task, before reading its spans back). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** Creates a tracer on the OpenTelemetry SDK that sends ended spans to the given exporters. */
export function createTracer(options: { exporters: SpanExporter[] }): Tracer {
  const provider = new TracerProvider({
    spanProcessors: options.exporters.map(
      (exporter) => new BatchSpanProcessor({ exporter, scheduledDelayMillis: 200, maxExportBatchSize: 512 }),
    ),
  });
  const otel = provider.getTracer('agentd');
  const spans = new WeakMap<SpanHandle, Span>();

  return {
    startSpan(name, { kind, taskId, parent, attributes }) {
      const parentSpan = parent ? spans.get(parent) : undefined;
      const ctx = parentSpan ? trace.setSpan(ROOT_CONTEXT, parentSpan) : ROOT_CONTEXT;
      const span = otel.startSpan(
        name,
        {
          attributes: { ...attributes, [ATTR.spanKind]: kind, ...(taskId ? { [ATTR.taskId]: taskId } : {}) },
        },
        ctx,
      );
      const handle: SpanHandle = {
        spanId: span.spanContext().spanId,
        setAttributes: (a) => void span.setAttributes(a),
        end(error) {
          if (error) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
            span.setAttribute(ATTR.errorType, error.code);
          } else {
            span.setStatus({ code: SpanStatusCode.OK });
          }
          span.end();
        },
      };
      spans.set(handle, span);
      return handle;
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
