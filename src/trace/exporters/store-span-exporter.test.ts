import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from '../../store/sqlite/open-sqlite-stores.js';
import type { Stores } from '../../store/stores.js';
import type { SpanRecord, TraceStore } from '../../store/trace-store.js';
import { ATTR } from '../attributes.js';
import { createTracer } from '../tracer.js';
import { StoreSpanExporter } from './store-span-exporter.js';

let stores: Stores | undefined;
afterEach(async () => {
  await stores?.close();
  stores = undefined;
});

function record(fields: Partial<SpanRecord> & { name: string; spanId: string }): SpanRecord {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    parentSpanId: null,
    taskId: 't1',
    kind: 'task',
    startTime: 1_700_000_000_250,
    endTime: 1_700_000_001_500.5,
    status: 'ok',
    statusMessage: null,
    attributes: {},
    ...fields,
  };
}

describe('StoreSpanExporter', () => {
  it('stores a task’s span tree with kinds, statuses and attributes, readable by task', async () => {
    stores = openSqliteStores({ path: ':memory:' });
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

  it('stores records as given, fractional times included', async () => {
    stores = openSqliteStores({ path: ':memory:' });
    const exporter = new StoreSpanExporter({ traces: stores.traces });
    const span = record({ name: 'bare', spanId: '00f067aa0ba902b7', attributes: { kept: 'yes' } });
    await exporter.export([span]);
    expect(await stores.traces.listByTask('t1')).toEqual([span]);
  });

  it('rejects when the store fails, with the store’s error', async () => {
    const exporter = new StoreSpanExporter({
      traces: { insert: () => Promise.reject(new Error('database is locked')) } as unknown as TraceStore,
    });
    await expect(exporter.export([record({ name: 'x', spanId: '00f067aa0ba902b7' })])).rejects.toThrow(
      'database is locked',
    );
  });

  it('ignores a span it was sent again, as exporters may retry', async () => {
    stores = openSqliteStores({ path: ':memory:' });
    const exporter = new StoreSpanExporter({ traces: stores.traces });
    const span = record({ name: 'once', spanId: '00f067aa0ba902b7' });
    await exporter.export([span]);
    await exporter.export([span]);
    expect((await stores.traces.listByTask('t1')).map((s) => s.name)).toEqual(['once']);
  });
});
