import { fromJson } from '../core/json.js';
import type { Json } from '../core/json.js';
import type { JournalStore } from '../store/journal-store.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type { TaskStatus, TaskStore } from '../store/task-store.js';
import { callRole, recallSummary } from './task-result.js';
import type { TaskResult } from './task-result.js';

/** Statuses a task does not leave. */
export const TERMINAL: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Builds a task's result view from its record, ledger, journal, events and reviews. */
export function createTaskResultView(stores: {
  tasks: TaskStore;
  journal: JournalStore;
  ledger: LedgerStore;
  reviews: ReviewStore;
}): (id: string, details?: Json) => Promise<TaskResult | null> {
  const { tasks, journal, ledger, reviews } = stores;

  return async function buildResult(id: string, details?: Json): Promise<TaskResult | null> {
    const task = await tasks.get(id);
    if (!task) return null;
    if (task.result && TERMINAL.has(task.status)) return fromJson<TaskResult>(task.result);
    const [totals, steps, rows] = await Promise.all([
      ledger.totals({ taskId: id }),
      journal.list(id),
      ledger.listByTask(id),
    ]);
    const modelCallsBy = { agents: 0, forge: 0, judges: 0, memory: 0 };
    let interruptedCalls = 0;
    for (const row of rows) {
      if (row.status === 'interrupted') interruptedCalls++;
      else modelCallsBy[callRole(row.agent)]++;
    }
    const memory = recallSummary(steps);
    const unfinished = task.status === 'failed' || task.status === 'cancelled';
    const partial = unfinished ? await partialResults(id) : [];
    const pending =
      task.status === 'waiting' ? await reviews.list({ taskId: id, status: 'pending', limit: 10 }) : [];
    return {
      id: task.id,
      status: task.status,
      prompt: task.prompt,
      output: task.output,
      error: task.error,
      cost: { usd: totals.costUsd, inputTokens: totals.inputTokens, outputTokens: totals.outputTokens },
      modelCalls: totals.calls - interruptedCalls,
      ...(interruptedCalls > 0 ? { interruptedCalls } : {}),
      modelCallsBy,
      toolCalls: steps.filter((s) => s.name.startsWith('tool:')).length,
      ...(memory ? { memory } : {}),
      simulated: task.simulated,
      ...(details !== undefined ? { details } : {}),
      ...(partial.length > 0 ? { partial } : {}),
      ...(pending.length > 0
        ? { reviews: pending.map((r) => ({ id: r.id, kind: r.kind, question: r.question })) }
        : {}),
      timings: {
        createdAt: task.createdAt,
        startedAt: task.startedAt,
        finishedAt: task.finishedAt,
        durationMs:
          task.finishedAt !== null && task.startedAt !== null ? task.finishedAt - task.startedAt : null,
      },
    };
  };

  /** What agents finished before the task failed (from the persisted agent-end events). */
  async function partialResults(id: string): Promise<{ agent: string; output: string }[]> {
    const seen = new Set<string>();
    const partial: { agent: string; output: string }[] = [];
    for (const event of await tasks.listEvents(id)) {
      if (event.type !== 'agent-end') continue;
      // A resumed task replays finished agents: the same output appears again.
      const key = `${event.data.agent}\u0000${event.data.output}`;
      if (seen.has(key)) continue;
      seen.add(key);
      partial.push({ agent: event.data.agent, output: event.data.output });
    }
    return partial;
  }
}
