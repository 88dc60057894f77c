export { ATTR } from './attributes.js';
export type { SpanKindName } from './attributes.js';
export type { ReadableSpan, SpanExporter } from './span-exporter.js';
export { createTracer } from './tracer.js';
export type { SpanHandle, Tracer } from './tracer.js';
