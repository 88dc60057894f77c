import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SpanRecord, TraceStore } from '../trace-store.js';
import type { OpenStore } from './open-store.js';

/** A finished span; tests override what they check. */
function spanRecord(overrides: Partial<SpanRecord> & { spanId: string }): SpanRecord {
  return {
    traceId: 'trace_1',
    parentSpanId: null,
    taskId: 'task_a',
    name: `span ${overrides.spanId}`,
    kind: 'step',
    startTime: 1_000,
    endTime: 2_000,
    status: 'ok',
    statusMessage: null,
    attributes: {},
    ...overrides,
  };
}

/** Registers the behaviour every TraceStore must have; `open` must return a fresh, empty store. */
export function describeTraceStoreConformance(name: string, open: OpenStore<TraceStore>): void {
  describe(`TraceStore conformance: ${name}`, () => {
    let store: TraceStore;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, close } = await open());
    });
    afterEach(async () => {
      await close();
    });

    it('returns inserted spans exactly as they were given', async () => {
      const span = spanRecord({
        spanId: 'span_1',
        parentSpanId: 'span_0',
        kind: 'model',
        status: 'error',
        statusMessage: 'rate limited',
        attributes: {
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 12,
          'agentd.cost_usd': 0.00042,
          'agentd.simulated': false,
          'agentd.tags': ['a', 'b'],
          'agentd.extra': { nested: { value: null } },
        },
      });
      await store.insert([span]);
      expect(await store.listByTask('task_a')).toEqual([span]);
    });

    it('lists the spans of a task ordered by start time', async () => {
      await store.insert([
        spanRecord({ spanId: 'span_c', startTime: 3_000, endTime: 3_500 }),
        spanRecord({ spanId: 'span_a', startTime: 1_000, endTime: 5_000 }),
      ]);
      await store.insert([spanRecord({ spanId: 'span_b', startTime: 2_000, endTime: 2_500 })]);
      expect((await store.listByTask('task_a')).map((span) => span.spanId)).toEqual([
        'span_a',
        'span_b',
        'span_c',
      ]);
    });

    it('leaves out spans of other tasks and spans outside any task', async () => {
      await store.insert([
        spanRecord({ spanId: 'span_a', taskId: 'task_a' }),
        spanRecord({ spanId: 'span_b', taskId: 'task_b' }),
        spanRecord({ spanId: 'span_none', taskId: null }),
      ]);
      expect((await store.listByTask('task_a')).map((span) => span.spanId)).toEqual(['span_a']);
      expect(await store.listByTask('task_missing')).toEqual([]);
    });

    it('ignores a span id that is already stored, keeping the first version', async () => {
      await store.insert([spanRecord({ spanId: 'span_1', name: 'first' })]);
      await store.insert([spanRecord({ spanId: 'span_1', name: 'retry' }), spanRecord({ spanId: 'span_2' })]);
      const spans = await store.listByTask('task_a');
      expect(spans.map((span) => [span.spanId, span.name])).toEqual([
        ['span_1', 'first'],
        ['span_2', 'span span_2'],
      ]);
    });

    it('accepts the same batch twice (an exporter retry) without duplicating it', async () => {
      const batch = [
        spanRecord({ spanId: 'span_1', startTime: 1 }),
        spanRecord({ spanId: 'span_2', startTime: 2 }),
      ];
      await store.insert(batch);
      await store.insert(batch);
      expect(await store.listByTask('task_a')).toEqual(batch);
    });

    it('accepts an empty batch', async () => {
      await store.insert([]);
      expect(await store.listByTask('task_a')).toEqual([]);
    });
  });
}
