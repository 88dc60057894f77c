import { describe, expect, it } from 'vitest';
import { TaskState } from '@a2a-js/sdk';
import { agentdStatusesOf, toA2aTask } from './a2a-task-view.js';
import type { AgentdTask } from './a2a-task-view.js';

function task(overrides: Partial<AgentdTask>): AgentdTask {
  return {
    id: 'task_1',
    status: 'running',
    prompt: 'expanded prompt',
    output: null,
    error: null,
    cost: { usd: 0.5, inputTokens: 10, outputTokens: 5 },
    modelCalls: 1,
    modelCallsBy: { agents: 1, forge: 0, judges: 0, memory: 0 },
    toolCalls: 0,
    simulated: false,
    timings: { createdAt: 1_000, startedAt: 2_000, finishedAt: null, durationMs: null },
    ...overrides,
  };
}

describe('agentd tasks as A2A tasks', () => {
  it('maps every agentd status onto the A2A lifecycle', () => {
    const states = (['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const).map(
      (status) => toA2aTask(task({ status }), 'ctx', 'hi').status?.state,
    );
    expect(states).toEqual([
      TaskState.TASK_STATE_SUBMITTED,
      TaskState.TASK_STATE_WORKING,
      TaskState.TASK_STATE_INPUT_REQUIRED,
      TaskState.TASK_STATE_COMPLETED,
      TaskState.TASK_STATE_FAILED,
      TaskState.TASK_STATE_CANCELED,
    ]);
    expect(agentdStatusesOf(TaskState.TASK_STATE_INPUT_REQUIRED)).toEqual(['waiting']);
    expect(agentdStatusesOf(TaskState.TASK_STATE_REJECTED)).toEqual([]);
  });

  it('says what a waiting task waits on, and what a failed one failed with', () => {
    const waiting = toA2aTask(
      task({ status: 'waiting', reviews: [{ id: 'rev_1', kind: 'tool-approval', question: 'Run rm?' }] }),
      'ctx',
      'hi',
    );
    expect(waiting.status?.message?.parts[0]?.content).toEqual({
      $case: 'text',
      value: 'waiting for a human review: Run rm? (review rev_1)',
    });
    const failed = toA2aTask(
      task({ status: 'failed', error: { code: 'budget.exceeded', message: 'over' } }),
      'c',
      'x',
    );
    expect(failed.status?.message?.parts[0]?.content).toEqual({
      $case: 'text',
      value: 'budget.exceeded: over',
    });
    expect(failed.artifacts).toEqual([]);
  });

  it('puts the output in an artifact, the user text in the history, and the cost in metadata', () => {
    const done = toA2aTask(
      task({
        status: 'succeeded',
        output: 'the answer',
        timings: { createdAt: 1, startedAt: 2, finishedAt: 3_000, durationMs: 2 },
      }),
      'ctx',
      'what the user said',
    );
    expect(done.artifacts[0]?.parts[0]?.content).toEqual({ $case: 'text', value: 'the answer' });
    expect(done.history.map((m) => m.parts[0]?.content)).toEqual([
      { $case: 'text', value: 'what the user said' },
      { $case: 'text', value: 'the answer' },
    ]);
    expect(done.status?.timestamp).toBe(new Date(3_000).toISOString());
    expect(done.metadata).toMatchObject({ agentd: { costUsd: 0.5, status: 'succeeded' } });
    expect(
      toA2aTask(task({ status: 'succeeded', output: 'x' }), 'c', 'u', { historyLength: 0 }).history,
    ).toEqual([]);
    expect(
      toA2aTask(task({ status: 'succeeded', output: 'x' }), 'c', 'u', { historyLength: 1 }).history,
    ).toHaveLength(1);
  });
});
