export { ATTR } from './attributes.js';
export type { SpanKindName } from './attributes.js';
export type { SpanExporter } from './span-exporter.js';
export { createTracer } from './tracer.js';
export type { SpanAttributes, SpanAttributeValue, SpanHandle, Tracer } from './tracer.js';
