import { describe, expect, it } from 'vitest';
import type { SpanRecord } from '../runtime/index.js';
import { spanTree } from './format.js';

function span(spanId: string, parentSpanId: string | null, name: string, startTime: number): SpanRecord {
  return {
    spanId,
    traceId: 't',
    parentSpanId,
    taskId: 'task_1',
    name,
    kind: 'memory',
    startTime,
    endTime: startTime + 1,
    status: 'ok',
    statusMessage: null,
    attributes: {},
  };
}

describe('spanTree', () => {
  it('prints sibling spans in the order they started, whatever order they came in', () => {
    const tree = spanTree([
      span('root', null, 'task', 0),
      span('c', 'root', 'memory.episode', 30),
      span('a', 'root', 'memory.recall', 10),
      span('b', 'root', 'invoke_team t', 20),
    ]);
    expect(tree.split('\n').map((line) => line.trim().split('  ')[0])).toEqual([
      'task',
      'memory.recall',
      'invoke_team t',
      'memory.episode',
      '',
    ]);
  });
});
