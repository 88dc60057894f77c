import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { Logger } from '../core/logger.js';
import type { SpanRecord } from '../store/trace-store.js';
import { createRecordingSpanExporter } from '../testing/recording-span-exporter.js';
import { ATTR } from './attributes.js';
import { createTracer } from './tracer.js';

function tracing() {
  const exporter = createRecordingSpanExporter();
  const tracer = createTracer({ exporters: [exporter] });
  return {
    tracer,
    /** Every ended span, once exported, by name. */
    async spans(): Promise<Map<string, SpanRecord>> {
      await tracer.flush();
      return new Map(exporter.spans.map((span) => [span.name, span]));
    },
  };
}

describe('tracer: the span tree', () => {
  it('gives spans started within one millisecond increasing start times, in the order they started', async () => {
    const { tracer, spans } = tracing();
    const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
    for (const name of names) tracer.startSpan(name, { kind: 'memory', taskId: 't1' }).end();
    const byName = await spans();
    const starts = names.map((name) => byName.get(name)?.startTime ?? 0);
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThan(starts[i - 1] ?? 0);
  });

  it('hangs a span under the parent it names, in the parent’s trace', async () => {
    const { tracer, spans } = tracing();
    const task = tracer.startSpan('task', { kind: 'task', taskId: 't1' });
    const agent = tracer.startSpan('invoke_agent a', { kind: 'agent', taskId: 't1', parent: task });
    const chat = tracer.startSpan('chat m', { kind: 'model', taskId: 't1', parent: agent });
    for (const span of [chat, agent, task]) span.end();

    const byName = await spans();
    const [taskSpan, agentSpan, chatSpan] = ['task', 'invoke_agent a', 'chat m'].map((name) =>
      byName.get(name),
    );
    expect(taskSpan?.parentSpanId).toBeNull();
    expect(agentSpan?.parentSpanId).toBe(task.spanId);
    expect(chatSpan?.parentSpanId).toBe(agent.spanId);
    const traceIds = new Set([taskSpan, agentSpan, chatSpan].map((span) => span?.traceId));
    expect(traceIds.size).toBe(1);
    // The handle's id is the exported span's.
    expect(chatSpan?.spanId).toBe(chat.spanId);
  });

  it('uses OpenTelemetry’s id formats: 32 hex digits for a trace, 16 for a span', async () => {
    const { tracer, spans } = tracing();
    tracer.startSpan('one', { kind: 'task' }).end();
    const span = (await spans()).get('one');
    expect(span?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span?.spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('starts a new trace for each span without a parent', async () => {
    const { tracer, spans } = tracing();
    tracer.startSpan('first', { kind: 'task' }).end();
    tracer.startSpan('second', { kind: 'task' }).end();
    const byName = await spans();
    expect(byName.get('first')?.traceId).not.toBe(byName.get('second')?.traceId);
    expect(byName.get('second')?.parentSpanId).toBeNull();
  });

  it('makes a root span of one whose parent handle another tracer started', async () => {
    const other = createTracer({ exporters: [] }).startSpan('elsewhere', { kind: 'task' });
    const { tracer, spans } = tracing();
    tracer.startSpan('orphan', { kind: 'agent', parent: other }).end();
    expect((await spans()).get('orphan')?.parentSpanId).toBeNull();
  });
});

describe('tracer: attributes', () => {
  it('records the span kind, the task id and the attributes given at start and later', async () => {
    const { tracer, spans } = tracing();
    const span = tracer.startSpan('execute_tool lookup', {
      kind: 'tool',
      taskId: 't1',
      attributes: { [ATTR.toolName]: 'lookup', [ATTR.costUsd]: 0, unset: undefined },
    });
    span.setAttributes({ [ATTR.outputTokens]: 12, [ATTR.finishReasons]: ['stop'], later: undefined });
    span.end();
    const recorded = (await spans()).get('execute_tool lookup');
    expect(recorded).toMatchObject({ kind: 'tool', taskId: 't1' });
    expect(recorded?.attributes).toEqual({
      [ATTR.toolName]: 'lookup',
      [ATTR.costUsd]: 0,
      [ATTR.spanKind]: 'tool',
      [ATTR.taskId]: 't1',
      [ATTR.outputTokens]: 12,
      [ATTR.finishReasons]: ['stop'],
    });
  });

  it('names no task for a span outside a task, and lets the kind win over an attribute of that name', async () => {
    const { tracer, spans } = tracing();
    tracer.startSpan('memory.search', { kind: 'memory', attributes: { [ATTR.spanKind]: 'forged' } }).end();
    const span = (await spans()).get('memory.search');
    expect(span?.attributes[ATTR.spanKind]).toBe('memory');
    expect(span?.taskId).toBeNull();
    expect(span?.attributes).not.toHaveProperty(ATTR.taskId);
  });

  it('ignores attributes set after the span ended, and a second end', async () => {
    const { tracer, spans } = tracing();
    const span = tracer.startSpan('done', { kind: 'model' });
    span.end();
    span.setAttributes({ late: 1 });
    span.end({ code: 'model.timeout', message: 'too late' });
    const byName = await spans();
    expect(byName.get('done')?.attributes).not.toHaveProperty('late');
    expect(byName.get('done')?.status).toBe('ok');
  });
});

describe('tracer: status and times', () => {
  it('ends a span ok, or as an error with the message and the error code as error.type', async () => {
    const { tracer, spans } = tracing();
    tracer.startSpan('fine', { kind: 'model' }).end();
    tracer.startSpan('broken', { kind: 'model' }).end({ code: 'model.timeout', message: 'no answer in 5 s' });
    const byName = await spans();
    expect(byName.get('fine')).toMatchObject({ status: 'ok', statusMessage: null });
    expect(byName.get('fine')?.attributes).not.toHaveProperty(ATTR.errorType);
    expect(byName.get('broken')).toMatchObject({ status: 'error', statusMessage: 'no answer in 5 s' });
    expect(byName.get('broken')?.attributes[ATTR.errorType]).toBe('model.timeout');
  });

  it('starts a span at the epoch time of its start and ends it no earlier', async () => {
    const { tracer, spans } = tracing();
    const before = Date.now();
    tracer.startSpan('timed', { kind: 'task' }).end();
    const after = Date.now();
    const span = (await spans()).get('timed');
    expect(span?.startTime).toBeGreaterThanOrEqual(before);
    expect(span?.startTime).toBeLessThanOrEqual(after);
    expect(span?.endTime).toBeGreaterThanOrEqual(span?.startTime ?? Infinity);
  });
});

describe('tracer: export', () => {
  it('exports a span once it has ended, on flush, to every exporter', async () => {
    const first = createRecordingSpanExporter();
    const second = createRecordingSpanExporter();
    const tracer = createTracer({ exporters: [first, second] });
    const open = tracer.startSpan('open', { kind: 'task' });
    tracer.startSpan('closed', { kind: 'task' }).end();
    await tracer.flush();
    expect(first.spans.map((s) => s.name)).toEqual(['closed']);
    expect(second.spans.map((s) => s.name)).toEqual(['closed']);
    open.end();
    await tracer.flush();
    expect(first.spans.map((s) => s.name)).toEqual(['closed', 'open']);
  });

  it('exports a full batch at once, without a flush', async () => {
    const exporter = createRecordingSpanExporter();
    const tracer = createTracer({ exporters: [exporter] });
    for (let i = 0; i < 512; i++) tracer.startSpan(`span ${i}`, { kind: 'tool' }).end();
    expect(exporter.spans).toHaveLength(512);
    await tracer.shutdown();
  });

  it('exports what has ended and shuts the exporters down on shutdown', async () => {
    const exporter = createRecordingSpanExporter();
    const tracer = createTracer({ exporters: [exporter] });
    tracer.startSpan('last', { kind: 'task' }).end();
    await tracer.shutdown();
    expect(exporter.spans.map((s) => s.name)).toEqual(['last']);
    expect(exporter.shutdowns).toBe(1);
  });

  it('logs an export that failed and goes on exporting the next batches', async () => {
    const warnings: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (message) => void warnings.push(message) };
    const kept = createRecordingSpanExporter();
    let fail = true;
    const flaky = {
      export: async (spans: readonly SpanRecord[]) => {
        if (fail) throw new Error('database is locked');
        kept.spans.push(...spans);
      },
    };
    const tracer = createTracer({ exporters: [flaky], logger });
    tracer.startSpan('lost', { kind: 'task' }).end();
    await tracer.flush();
    expect(warnings).toEqual(['trace: a span export failed; its batch is dropped']);
    fail = false;
    tracer.startSpan('kept', { kind: 'task' }).end();
    await tracer.flush();
    expect(kept.spans.map((s) => s.name)).toEqual(['kept']);
  });
});
