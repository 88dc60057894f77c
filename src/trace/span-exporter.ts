import type { SpanRecord } from '../store/trace-store.js';

/**
 * The exporter seam: where the tracer sends ended spans, in batches, as records (the store's shape,
 * attribute names after the OpenTelemetry GenAI conventions). The store exporter writes them to the
 * TraceStore; an OpenTelemetry exporter (OTLP) would plug in through an adapter that converts records
 * to the SDK's spans and loads the SDK only when one is configured (ADR 0030).
 */
export interface SpanExporter {
  /** Sends a batch of ended spans; a rejection is logged by the tracer and the batch is dropped. */
  export(spans: readonly SpanRecord[]): Promise<void>;
  /** Releases the exporter's resources (called once, by the tracer's shutdown). */
  shutdown?(): Promise<void>;
}
