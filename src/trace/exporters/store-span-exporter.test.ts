import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSqliteStores } from '../../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../../store/stores.js';
import type { SpanRecord, TraceStore } from '../../store/trace-store.js';
import { ATTR } from '../attributes.js';
import type { ReadableSpan } from '../span-exporter.js';
import { createTracer } from '../tracer.js';
import { StoreSpanExporter } from './store-span-exporter.js';

let stores: Stores | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await stores?.close();
  stores = undefined;
});

/** A finished span as the SDK hands it to exporters, with only what the store exporter reads. */
function finishedSpan(fields: {
  name: string;
  spanId: string;
  parentSpanId?: string;
  attributes?: ReadableSpan['attributes'];
  status?: ReadableSpan['status'];
  startTime?: ReadableSpan['startTime'];
  endTime?: ReadableSpan['endTime'];
}): ReadableSpan {
  const traceId = '0af7651916cd43dd8448eb211c80319c';
  return {
    name: fields.name,
    kind: SpanKind.INTERNAL,
    spanContext: () => ({ traceId, spanId: fields.spanId, traceFlags: 1 }),
    ...(fields.parentSpanId
      ? { parentSpanContext: { traceId, spanId: fields.parentSpanId, traceFlags: 1 } }
      : {}),
    startTime: fields.startTime ?? [1_700_000_000, 0],
    endTime: fields.endTime ?? [1_700_000_001, 0],
    status: fields.status ?? { code: SpanStatusCode.UNSET },
    attributes: fields.attributes ?? {},
    links: [],
    events: [],
    duration: [1, 0],
    ended: true,
    resource: undefined as unknown as ReadableSpan['resource'],
    instrumentationScope: { name: 'agentd' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Exports spans and resolves with the result the exporter reported. */
function exportSpans(exporter: StoreSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('StoreSpanExporter', () => {
  it('stores a task’s span tree with kinds, statuses and attributes, readable by task', async () => {
    stores = openSqliteStores({ path: ':memory:' });
    // The span clock starts from Date: fixed here, so start times are known.
    vi.useFakeTimers({ toFake: ['Date'], now: 1_700_000_000_000 });
    const tracer = createTracer({ exporters: [new StoreSpanExporter({ traces: stores.traces })] });
    const task = tracer.startSpan('task', { kind: 'task', taskId: 't1' });
    const chat = tracer.startSpan('chat m', {
      kind: 'model',
      taskId: 't1',
      parent: task,
      attributes: { [ATTR.requestModel]: 'm', [ATTR.inputTokens]: 10 },
    });
    chat.end({ code: 'model.rate_limited', message: 'slow down' });
    task.end();
    tracer.startSpan('memory.search', { kind: 'memory' }).end();
    await tracer.flush();

    const stored = await stores.traces.listByTask('t1');
    expect(stored.map((s) => s.name).sort()).toEqual(['chat m', 'task']);
    const byName = new Map(stored.map((s) => [s.name, s]));
    expect(byName.get('task')).toMatchObject({
      spanId: task.spanId,
      parentSpanId: null,
      taskId: 't1',
      kind: 'task',
      status: 'ok',
      statusMessage: null,
      startTime: 1_700_000_000_000,
    });
    expect(byName.get('chat m')).toMatchObject({
      spanId: chat.spanId,
      traceId: byName.get('task')?.traceId,
      parentSpanId: task.spanId,
      kind: 'model',
      status: 'error',
      statusMessage: 'slow down',
      attributes: {
        [ATTR.requestModel]: 'm',
        [ATTR.inputTokens]: 10,
        [ATTR.spanKind]: 'model',
        [ATTR.taskId]: 't1',
        [ATTR.errorType]: 'model.rate_limited',
      },
    });
    for (const span of stored) expect(span.endTime).toBeGreaterThanOrEqual(span.startTime);
  });

  it('converts times to epoch milliseconds, drops undefined attributes, and defaults kind and task', async () => {
    const inserted: SpanRecord[] = [];
    const exporter = new StoreSpanExporter({
      traces: { insert: async (spans) => void inserted.push(...spans) } as TraceStore,
    });
    const result = await exportSpans(exporter, [
      finishedSpan({
        name: 'bare',
        spanId: '00f067aa0ba902b7',
        parentSpanId: 'b7ad6b7169203331',
        startTime: [1_700_000_000, 250_000_000],
        endTime: [1_700_000_001, 500_500_000],
        attributes: { kept: 'yes', gone: undefined, [ATTR.taskId]: 42 },
        status: { code: SpanStatusCode.UNSET },
      }),
    ]);
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    expect(inserted).toEqual([
      {
        spanId: '00f067aa0ba902b7',
        traceId: '0af7651916cd43dd8448eb211c80319c',
        parentSpanId: 'b7ad6b7169203331',
        // A task id that is not a string names no task; a span without agentd's kind is `internal`.
        taskId: null,
        name: 'bare',
        kind: 'internal',
        startTime: 1_700_000_000_250,
        endTime: 1_700_000_001_500.5,
        status: 'ok',
        statusMessage: null,
        attributes: { kept: 'yes', [ATTR.taskId]: 42 },
      },
    ]);
  });

  it('reports a store that fails as a failed export, with the error', async () => {
    const exporter = new StoreSpanExporter({
      traces: { insert: () => Promise.reject(new Error('database is locked')) } as unknown as TraceStore,
    });
    const result = await exportSpans(exporter, [finishedSpan({ name: 'x', spanId: '00f067aa0ba902b7' })]);
    expect(result).toEqual({ code: ExportResultCode.FAILED, error: new Error('database is locked') });
    expect(result.error?.message).toBe('database is locked');
  });

  it('ignores a span it was sent again, as exporters may retry', async () => {
    stores = openSqliteStores({ path: ':memory:' });
    const exporter = new StoreSpanExporter({ traces: stores.traces });
    const span = finishedSpan({
      name: 'once',
      spanId: '00f067aa0ba902b7',
      attributes: { [ATTR.taskId]: 't1' },
    });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    expect((await stores.traces.listByTask('t1')).map((s) => s.name)).toEqual(['once']);
  });
});
