/**
 * The exporter seam: agentd's tracer is OpenTelemetry's SDK, so any OpenTelemetry SpanExporter
 * (the store exporter, OTLP, console) plugs in unchanged.
 */
export type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
