import { SpanStatusCode } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ATTR } from './attributes.js';
import type { ReadableSpan, SpanExporter } from './span-exporter.js';
import { createTracer } from './tracer.js';

/** An exporter that keeps what it was sent, even after shutdown (InMemorySpanExporter clears itself). */
function recordingExporter(): SpanExporter & { spans: ReadableSpan[]; shutdowns: number } {
  const exporter = {
    spans: [] as ReadableSpan[],
    shutdowns: 0,
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.spans.push(...spans);
      done({ code: ExportResultCode.SUCCESS });
    },
    async shutdown() {
      exporter.shutdowns++;
    },
  };
  return exporter;
}

function tracing() {
  const exporter = new InMemorySpanExporter();
  const tracer = createTracer({ exporters: [exporter] });
  return {
    tracer,
    /** Every ended span, once exported, by name. */
    async spans(): Promise<Map<string, ReadableSpan>> {
      await tracer.flush();
      return new Map(exporter.getFinishedSpans().map((span) => [span.name, span]));
    },
  };
}

describe('tracer: the span tree', () => {
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
    expect(taskSpan?.parentSpanContext).toBeUndefined();
    expect(agentSpan?.parentSpanContext?.spanId).toBe(task.spanId);
    expect(chatSpan?.parentSpanContext?.spanId).toBe(agent.spanId);
    const traceIds = new Set([taskSpan, agentSpan, chatSpan].map((span) => span?.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    // The handle's id is the exported span's.
    expect(chatSpan?.spanContext().spanId).toBe(chat.spanId);
  });

  it('starts a new trace for each span without a parent', async () => {
    const { tracer, spans } = tracing();
    tracer.startSpan('first', { kind: 'task' }).end();
    tracer.startSpan('second', { kind: 'task' }).end();
    const byName = await spans();
    expect(byName.get('first')?.spanContext().traceId).not.toBe(byName.get('second')?.spanContext().traceId);
    expect(byName.get('second')?.parentSpanContext).toBeUndefined();
  });

  it('makes a root span of one whose parent handle another tracer started', async () => {
    const other = createTracer({ exporters: [] }).startSpan('elsewhere', { kind: 'task' });
    const { tracer, spans } = tracing();
    tracer.startSpan('orphan', { kind: 'agent', parent: other }).end();
    expect((await spans()).get('orphan')?.parentSpanContext).toBeUndefined();
  });
});

describe('tracer: attributes', () => {
  it('records the span kind, the task id and the attributes given at start and later', async () => {
    const { tracer, spans } = tracing();
    const span = tracer.startSpan('execute_tool lookup', {
      kind: 'tool',
      taskId: 't1',
      attributes: { [ATTR.toolName]: 'lookup', [ATTR.costUsd]: 0 },
    });
    span.setAttributes({ [ATTR.outputTokens]: 12, [ATTR.finishReasons]: ['stop'] });
    span.end();
    expect((await spans()).get('execute_tool lookup')?.attributes).toEqual({
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
    const attributes = (await spans()).get('memory.search')?.attributes;
    expect(attributes?.[ATTR.spanKind]).toBe('memory');
    expect(attributes).not.toHaveProperty(ATTR.taskId);
  });
});

describe('tracer: status', () => {
  it('ends a span ok, or as an error with the message and the error code as error.type', async () => {
    const { tracer, spans } = tracing();
    tracer.startSpan('fine', { kind: 'model' }).end();
    tracer.startSpan('broken', { kind: 'model' }).end({ code: 'model.timeout', message: 'no answer in 5 s' });
    const byName = await spans();
    expect(byName.get('fine')?.status).toEqual({ code: SpanStatusCode.OK });
    expect(byName.get('fine')?.attributes).not.toHaveProperty(ATTR.errorType);
    expect(byName.get('broken')?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no answer in 5 s' });
    expect(byName.get('broken')?.attributes[ATTR.errorType]).toBe('model.timeout');
  });
});

describe('tracer: export', () => {
  it('exports a span once it has ended, on flush, to every exporter', async () => {
    const first = recordingExporter();
    const second = recordingExporter();
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

  it('exports what has ended and shuts the exporters down on shutdown', async () => {
    const exporter = recordingExporter();
    const tracer = createTracer({ exporters: [exporter] });
    tracer.startSpan('last', { kind: 'task' }).end();
    await tracer.shutdown();
    expect(exporter.spans.map((s) => s.name)).toEqual(['last']);
    expect(exporter.shutdowns).toBe(1);
  });
});
