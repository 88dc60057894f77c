import { randomFillSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import type { Json } from '../core/json.js';
import type { SpanRecord } from '../store/trace-store.js';
import { ATTR } from './attributes.js';
import type { SpanKindName } from './attributes.js';
import type { SpanExporter } from './span-exporter.js';

/** A span attribute's value, as OpenTelemetry allows them (undefined: not set). */
export type SpanAttributeValue = string | number | boolean | readonly (string | number | boolean)[];

/** Span attributes by name. */
export type SpanAttributes = Record<string, SpanAttributeValue | undefined>;

/** A span being recorded. */
export interface SpanHandle {
  readonly spanId: string;
  /** Adds or replaces attributes (ignored once the span has ended). */
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; an error sets status `error` with its message and `error.type`. */
  end(error?: { code: string; message: string }): void;
}

/** Starts spans for tasks, agents, model calls and tool calls. */
export interface Tracer {
  startSpan(
    name: string,
    options: { kind: SpanKindName; taskId?: string; parent?: SpanHandle; attributes?: SpanAttributes },
  ): SpanHandle;
  /** Exports every ended span now (e.g. at the end of a task, before reading its spans back). */
  flush(): Promise<void>;
  /** Exports what has ended, then shuts the exporters down. */
  shutdown(): Promise<void>;
}

/** Ended spans are exported this long after the first of a batch ended, or when a batch is full. */
const EXPORT_DELAY_MS = 200;
const MAX_BATCH = 512;
/** Spans waiting beyond this (an exporter far behind) are dropped, as OpenTelemetry's batcher does. */
const MAX_QUEUE = 8192;

// Span and trace ids come from a pool of random bytes refilled 4 KB at a time: a system call per
// id would cost more than the rest of a span.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** `bytes` random bytes as lower-case hex (OpenTelemetry's id format). */
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/**
 * Creates a tracer that records spans itself and sends ended ones, in batches, to the exporters.
 * It does what agentd used the OpenTelemetry SDK for (ids, parent links, attributes, status,
 * batching), with the same trace and span id formats and attribute names, without the SDK's ~100 ms
 * of start-up (ADR 0030). Parents are passed explicitly, so concurrent tasks never mix.
 */
export function createTracer(options: {
  exporters: SpanExporter[];
  logger?: Logger;
  /** Applied to every string attribute and status message before a span is exported (PII masking). */
  redact?: (text: string) => string;
}): Tracer {
  const { exporters, redact } = options;
  const logger = options.logger ?? silentLogger;
  // The trace each handle of this tracer belongs to; a handle from elsewhere is no parent here.
  const traces = new WeakMap<SpanHandle, string>();
  let queue: SpanRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let dropped = 0;
  const inFlight = new Set<Promise<void>>();

  function exportQueued(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (queue.length === 0) return Promise.all(inFlight).then(() => undefined);
    const batch = queue;
    queue = [];
    if (dropped > 0) {
      logger.warn(`trace: dropped ${dropped} spans; the exporters could not keep up`);
      dropped = 0;
    }
    for (const exporter of exporters) {
      const sent = exporter.export(batch).catch((error: unknown) => {
        logger.warn('trace: a span export failed; its batch is dropped', {
          spans: batch.length,
          reason: error instanceof Error ? error.message : String(error),
        });
      });
      inFlight.add(sent);
      void sent.finally(() => inFlight.delete(sent));
    }
    return Promise.all(inFlight).then(() => undefined);
  }

  function ended(record: SpanRecord): void {
    if (exporters.length === 0) return;
    if (redact) redactRecord(record, redact);
    if (queue.length >= MAX_QUEUE) {
      dropped++;
      return;
    }
    queue.push(record);
    if (queue.length >= MAX_BATCH) void exportQueued();
    else if (!timer) {
      timer = setTimeout(() => void exportQueued(), EXPORT_DELAY_MS);
      timer.unref();
    }
  }

  let lastStart = 0;
  return {
    startSpan(name, { kind, taskId, parent, attributes }) {
      const parentTrace = parent ? traces.get(parent) : undefined;
      const traceId = parentTrace ?? randomHex(16);
      const spanId = randomHex(8);
      // Epoch start, monotonic duration: a clock step during the span cannot make it negative.
      // Spans started within one millisecond still get distinct, increasing start times (a
      // microsecond apart), so siblings sort in the order they started, not by their random ids.
      const startTime = Math.max(Date.now(), lastStart + 0.001);
      lastStart = startTime;
      const startedAt = performance.now();
      const recorded: Record<string, Json> = {};
      const set = (values: SpanAttributes | undefined) => {
        if (!values) return;
        for (const [key, value] of Object.entries(values)) {
          if (value !== undefined) recorded[key] = value as Json;
        }
      };
      set(attributes);
      recorded[ATTR.spanKind] = kind;
      if (taskId) recorded[ATTR.taskId] = taskId;
      let open = true;
      const handle: SpanHandle = {
        spanId,
        setAttributes(values) {
          if (open) set(values);
        },
        end(error) {
          if (!open) return;
          open = false;
          if (error) recorded[ATTR.errorType] = error.code;
          ended({
            spanId,
            traceId,
            parentSpanId: parentTrace && parent ? parent.spanId : null,
            taskId: taskId ?? null,
            name,
            kind,
            startTime,
            endTime: startTime + (performance.now() - startedAt),
            status: error ? 'error' : 'ok',
            statusMessage: error ? error.message : null,
            attributes: recorded,
          });
        },
      };
      traces.set(handle, traceId);
      return handle;
    },
    flush: exportQueued,
    async shutdown() {
      await exportQueued();
      await Promise.all(exporters.map((exporter) => exporter.shutdown?.()));
    },
  };
}

/** Masks a span's string attributes (and strings in array attributes) and its status message in place. */
function redactRecord(record: SpanRecord, redact: (text: string) => string): void {
  for (const [key, value] of Object.entries(record.attributes)) {
    if (typeof value === 'string') record.attributes[key] = redact(value);
    else if (Array.isArray(value)) {
      record.attributes[key] = value.map((item) => (typeof item === 'string' ? redact(item) : item));
    }
  }
  if (record.statusMessage !== null) record.statusMessage = redact(record.statusMessage);
}
