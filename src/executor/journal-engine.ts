import type { Clock } from '../core/clock.js';
import { AgentdError, endsTask, restoreError, toAgentdError } from '../core/errors.js';
import type { ErrorCode } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { fromJson, toJson } from '../core/json.js';
import type { JsonCompatible, NotFunction } from '../core/json.js';
import type { JournalStore, StepRecord } from '../store/journal-store.js';
import type { ReviewStore } from '../store/review-store.js';
import type {
  DurableContext,
  DurableEngine,
  HumanAnswer,
  Settled,
  StepHooks,
  StepOptions,
  StepScope,
} from './durable-context.js';
import { indexStartMarks, rerunKey, settleInterruptedStep } from './interrupted-step.js';
import { TaskSuspendedError } from './task-suspended.js';

/** When several branches end the task at once, the most final reason wins. */
const FATAL_PRIORITY: readonly ErrorCode[] = [
  'task.cancelled',
  'task.interrupted',
  'budget.exceeded',
  'loop.step_limit',
  'task.suspended',
];

/** A durable engine on agentd's own step journal (any JournalStore: SQLite now, Postgres later). */
export function createJournalEngine(options: {
  journal: JournalStore;
  reviews: ReviewStore;
  clock: Clock;
}): DurableEngine {
  const { journal, reviews, clock } = options;
  return {
    async run({ taskId, signal, maxSteps = Number.POSITIVE_INFINITY }, workflow) {
      // Load the whole journal once: a resumed task replays from memory, a new one has no rows.
      const recorded = new Map<string, StepRecord>();
      const [steps, starts] = await Promise.all([journal.list(taskId), journal.listStarted(taskId)]);
      for (const step of steps) recorded.set(step.key, step);
      // Steps marked started by an earlier run (at-most-once steps only); finished ones are in `recorded`.
      const marks = indexStartMarks(starts);
      let stepsTaken = 0;

      function countStep(key: string): void {
        if (++stepsTaken > maxSteps) {
          throw new AgentdError({
            code: 'loop.step_limit',
            message: `task ${taskId} reached its step limit (${maxSteps} steps) at step ${key}`,
            details: { maxSteps },
          });
        }
      }

      function replay(key: string, name: string): StepRecord | undefined {
        const previous = recorded.get(key);
        if (previous && previous.name !== name) {
          throw new AgentdError({
            code: 'journal.nondeterministic',
            message: `task ${taskId} step ${key} was '${previous.name}' when first run but is '${name}' on resume`,
          });
        }
        return previous;
      }

      function context(path: string): DurableContext {
        let nextSeq = 0;
        const scopes = new Set<string>();
        const ctx: DurableContext = {
          taskId,
          signal,
          path,

          async step<T extends JsonCompatible<T>>(
            name: string,
            fn: (step: StepScope) => Promise<T & NotFunction<T>>,
            hooks?: StepHooks<T>,
            options?: StepOptions<T>,
          ): Promise<T> {
            const key = `${path}${++nextSeq}`;
            signal.throwIfAborted();
            countStep(key);
            const previous = replay(key, name);
            if (previous) {
              hooks?.onStart?.(key);
              if (previous.status === 'failed' && previous.error) {
                hooks?.onEnd?.({ key, replayed: true, error: previous.error });
                throw restoreError(previous.error);
              }
              const output = fromJson<T>(previous.output);
              hooks?.onEnd?.({ key, replayed: true, output });
              return output;
            }

            const once = options?.atMostOnce;
            const markedAt = marks.startedAt.get(key);
            if (once && markedAt !== undefined) {
              const reruns = marks.reruns.get(key) ?? 0;
              // An earlier run started this step and never journaled its end: it may have had its
              // effect. It runs again only if a human says so.
              const settled = await settleInterruptedStep({
                taskId,
                key,
                name,
                startedAt: markedAt,
                reruns,
                once,
                journal,
                reviews,
                clock,
              });
              if (!('rerun' in settled)) {
                hooks?.onStart?.(key);
                if ('error' in settled) {
                  const { code, message } = settled.error;
                  hooks?.onEnd?.({ key, replayed: false, error: { code, message } });
                  throw settled.error;
                }
                hooks?.onEnd?.({ key, replayed: false, output: settled.output });
                return settled.output;
              }
              // Approved: the re-run has a mark of its own, so a crash during it asks again.
              const rerun = rerunKey(key, reruns + 1);
              await journal.markStarted({ taskId, key: rerun, name, startedAt: clock.now() });
            } else if (once) {
              // Durable before the step runs (group commit: it shares the commit of its turn).
              await journal.markStarted({ taskId, key, name, startedAt: clock.now() });
            }

            hooks?.onStart?.(key);
            const startedAt = clock.now();
            // Store writes the step queued (its ledger rows): the journal record waits for them and,
            // queued in the same turn, joins their group commit (ADR 0033) — one transaction.
            const writes: Promise<unknown>[] = [];
            const commitWith = (write: Promise<unknown>): void => {
              writes.push(write);
            };
            let output: T & NotFunction<T>;
            try {
              output = await fn({ key, signal, commitWith });
            } catch (thrown) {
              const error = toAgentdError(thrown);
              // The step's own error is the one to report; a queued write that failed too leaves its
              // row as it was (a pending ledger row is marked interrupted when the task resumes).
              await Promise.allSettled(writes);
              // A step cut short (cancellation, shutdown, budget, a wait for a human) did not
              // complete: leave it unjournaled so a resume runs it.
              if (!signal.aborted && !endsTask(error)) {
                await journal.record({
                  taskId,
                  key,
                  name,
                  status: 'failed',
                  output: null,
                  error: { code: error.code, message: error.message },
                  startedAt,
                  finishedAt: clock.now(),
                });
              }
              hooks?.onEnd?.({ key, replayed: false, error: { code: error.code, message: error.message } });
              throw error;
            }
            try {
              const recorded = journal.record({
                taskId,
                key,
                name,
                status: 'completed',
                output: toJson<T>(output) ?? null,
                error: null,
                startedAt,
                finishedAt: clock.now(),
              });
              // Most steps queue nothing: no combined promise for them (a hot path, see bench overhead).
              await (writes.length === 0 ? recorded : Promise.all([recorded, ...writes]));
            } catch (thrown) {
              const error = toAgentdError(thrown);
              hooks?.onEnd?.({ key, replayed: false, error: { code: error.code, message: error.message } });
              throw error;
            }
            hooks?.onEnd?.({ key, replayed: false, output });
            return output;
          },

          scope(name) {
            if (name.includes('/') || scopes.has(name)) {
              throw new AgentdError({
                code: 'journal.invalid_scope',
                message: `scope name '${name}' is ${name.includes('/') ? "invalid (contains '/')" : 'used twice'} in scope '${path}'`,
              });
            }
            scopes.add(name);
            return context(`${path}${name}/`);
          },

          async parallel<T>(
            branches: readonly ((ctx: DurableContext) => Promise<T>)[],
          ): Promise<Settled<T>[]> {
            const seq = ++nextSeq;
            const settled = await Promise.all(
              branches.map(async (branch, index): Promise<Settled<T>> => {
                try {
                  return { ok: true, value: await branch(context(`${path}${seq}.${index}/`)) };
                } catch (error) {
                  return { ok: false, error: toAgentdError(error) };
                }
              }),
            );
            if (signal.aborted) throw toAgentdError(signal.reason);
            const fatal = settled
              .flatMap((s) => (s.ok || !endsTask(s.error) ? [] : [s.error]))
              .sort((a, b) => FATAL_PRIORITY.indexOf(a.code) - FATAL_PRIORITY.indexOf(b.code))[0];
            if (fatal) throw fatal;
            return settled;
          },

          async waitForHuman(request, hooks): Promise<HumanAnswer> {
            const key = `${path}${++nextSeq}`;
            const name = `human:${request.kind}`;
            signal.throwIfAborted();
            countStep(key);
            const previous = replay(key, name);
            if (previous?.status === 'completed') return fromJson<HumanAnswer>(previous.output);
            const existing = await reviews.getByStep(taskId, key);
            if (existing?.status === 'answered' && existing.answer) {
              const answer: HumanAnswer = { reviewId: existing.id, ...existing.answer };
              const now = clock.now();
              await journal.record({
                taskId,
                key,
                name,
                status: 'completed',
                output: toJson(answer),
                error: null,
                startedAt: existing.createdAt,
                finishedAt: now,
              });
              return answer;
            }
            const review =
              existing ??
              (await reviews.open({
                id: newId('rev'),
                taskId,
                stepKey: key,
                kind: request.kind,
                question: request.question,
                payload: request.payload ?? null,
                status: 'pending',
                answer: null,
                createdAt: clock.now(),
                answeredAt: null,
              }));
            if (!existing) hooks?.onRequested?.(review);
            throw new TaskSuspendedError(review.id);
          },
        };
        return ctx;
      }

      return workflow(context(''));
    },
  };
}
