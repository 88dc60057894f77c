import type { Clock } from '../core/clock.js';
import { AgentdError, toAgentdError } from '../core/errors.js';
import type { Json } from '../core/json.js';
import type { JournalStore, StepRecord } from '../store/journal-store.js';
import type { DurableContext, DurableEngine } from './durable-context.js';

/** A durable engine on agentd's own step journal (any JournalStore: SQLite now, Postgres later). */
export function createJournalEngine(options: { journal: JournalStore; clock: Clock }): DurableEngine {
  const { journal, clock } = options;
  return {
    async run({ taskId, signal }, workflow) {
      // Load the whole journal once: a resumed task replays from memory, a new one has no rows.
      const recorded = new Map<number, StepRecord>();
      for (const step of await journal.list(taskId)) recorded.set(step.seq, step);
      let nextSeq = 0;

      const ctx: DurableContext = {
        taskId,
        signal,
        async step<T extends Json>(
          name: string,
          fn: (step: { seq: number; signal: AbortSignal }) => Promise<T>,
          hooks?: Parameters<DurableContext['step']>[2],
        ): Promise<T> {
          const seq = ++nextSeq;
          signal.throwIfAborted();
          const previous = recorded.get(seq);
          if (previous) {
            if (previous.name !== name) {
              throw new AgentdError({
                code: 'journal.nondeterministic',
                category: 'system',
                message: `task ${taskId} step ${seq} was '${previous.name}' when first run but is '${name}' on resume`,
              });
            }
            hooks?.onStart?.(seq);
            if (previous.status === 'failed' && previous.error) {
              hooks?.onEnd?.({ seq, replayed: true, error: previous.error });
              throw new AgentdError({ ...previous.error, category: 'system' });
            }
            hooks?.onEnd?.({ seq, replayed: true, output: previous.output });
            return previous.output as T;
          }

          hooks?.onStart?.(seq);
          const startedAt = clock.now();
          try {
            const output = await fn({ seq, signal });
            await journal.record({
              taskId,
              seq,
              name,
              status: 'completed',
              output: output ?? null,
              error: null,
              startedAt,
              finishedAt: clock.now(),
            });
            hooks?.onEnd?.({ seq, replayed: false, output });
            return output;
          } catch (thrown) {
            const error = toAgentdError(thrown);
            // A step cut short by cancellation did not complete: leave it unjournaled so a resume runs it.
            if (!signal.aborted) {
              await journal.record({
                taskId,
                seq,
                name,
                status: 'failed',
                output: null,
                error: { code: error.code, message: error.message },
                startedAt,
                finishedAt: clock.now(),
              });
            }
            hooks?.onEnd?.({ seq, replayed: false, error: { code: error.code, message: error.message } });
            throw error;
          }
        },
      };
      return workflow(ctx);
    },
  };
}
