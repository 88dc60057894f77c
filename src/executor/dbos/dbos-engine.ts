import { DBOS } from '@dbos-inc/dbos-sdk';
import type { Clock } from '../../core/clock.js';
import { AgentdError, endsTask, restoreError, toAgentdError } from '../../core/errors.js';
import type { ErrorCode } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { fromJson, toJson } from '../../core/json.js';
import type { Json, JsonCompatible, NotFunction } from '../../core/json.js';
import type { StepRecord, StepStart } from '../../store/journal-store.js';
import type { ReviewStore } from '../../store/review-store.js';
import type {
  DurableContext,
  DurableEngine,
  HumanAnswer,
  Settled,
  StepHooks,
  StepOptions,
  StepScope,
} from '../durable-context.js';
import '../executor-error-codes.js';
import { indexStartMarks, rerunKey, settleInterruptedStep } from '../interrupted-step.js';
import { TaskSuspendedError } from '../task-suspended.js';

/** When several branches end the task at once, the most final reason wins (as in the journal engine). */
const FATAL_PRIORITY: readonly ErrorCode[] = [
  'task.cancelled',
  'task.interrupted',
  'worker.fenced',
  'budget.exceeded',
  'loop.step_limit',
  'task.suspended',
];

/**
 * What one DBOS step of a task records. A step's callback never throws, so DBOS never records an
 * error of its own: a failure is a value (replayed as the same failure), and a step cut off by
 * cancellation, shutdown or a budget stop records `cut` (it runs again on resume, like a step the
 * journal engine never journaled).
 */
type Envelope =
  | { name: string; ok: Json }
  | { name: string; failed: { code: string; message: string } }
  | { name: string; cut: true }
  | { name: string; started: number };

/** The DBOS step name of a step's outcome and of its start mark. */
const outcomeName = (key: string): string => `agentd:${key}`;
const markName = (key: string): string => `agentd-start:${key}`;
/** The filler for a function id whose step was in flight when its process died. */
const GAP = 'agentd:gap';

/** A recorded step as DBOS lists it. */
export interface RecordedStep {
  functionID: number;
  name: string;
}

/**
 * A durable engine on DBOS Transact: the task is the DBOS workflow whose id is the task id, and every
 * `ctx.step` is a `DBOS.runStep` named after its scope key (ADR 0085).
 *
 * DBOS replays steps by call order (its function ids), but agentd's parallel branches call steps in
 * whatever order their model calls finish. So a resumed run first replays every recorded function id
 * in order (DBOS returns the recorded envelopes), which leaves DBOS's counter past them, and then
 * answers each `ctx.step` by its scope key from those envelopes, as the journal engine does; steps
 * not recorded take fresh function ids. Replay is by key, never by call order.
 */
export function createDbosEngine(options: {
  reviews: ReviewStore;
  clock: Clock;
  /** The task's recorded steps (read outside the workflow, through a DBOS client). */
  listSteps(taskId: string): Promise<RecordedStep[]>;
  /** Throws when this worker may take no new steps (its lease or heartbeat was lost). */
  checkLease?(): void;
}): DurableEngine {
  const { reviews, clock } = options;
  return {
    async run({ taskId, signal, maxSteps = Number.POSITIVE_INFINITY }, workflow) {
      if (DBOS.workflowID !== taskId) {
        throw new AgentdError({
          code: 'executor.not_in_workflow',
          message: `task ${taskId} must run inside its DBOS workflow (started through the DBOS queue)`,
        });
      }
      const recorded = new Map<string, Envelope>();
      const marks: StepStart[] = [];
      const steps = [...(await options.listSteps(taskId))].sort((a, b) => a.functionID - b.functionID);
      const names = new Map(steps.map((s) => [s.functionID, s.name]));
      const last = steps.at(-1)?.functionID ?? -1;
      // Replays every recorded function id in order, so DBOS's counter ends past them (a gap, a
      // step in flight when its process died, is filled so the ids stay dense).
      for (let id = 0; id <= last; id++) {
        const name = names.get(id) ?? GAP;
        const envelope = await dbosStep(name, async () => null);
        if (!envelope || typeof envelope !== 'object') continue;
        const env = envelope as Envelope & { key?: string };
        if (name.startsWith('agentd-start:') && 'started' in env)
          marks.push({ taskId, key: name.slice(13), name: env.name, startedAt: env.started });
        else if (name.startsWith('agentd:') && name !== GAP) recorded.set(name.slice(7), env);
      }
      const startMarks = indexStartMarks(marks);
      let stepsTaken = 0;

      function countStep(key: string): void {
        options.checkLease?.();
        if (++stepsTaken > maxSteps) {
          throw new AgentdError({
            code: 'loop.step_limit',
            message: `task ${taskId} reached its step limit (${maxSteps} steps) at step ${key}`,
            details: { maxSteps },
          });
        }
      }

      function replay(key: string, name: string): Envelope | undefined {
        const previous = recorded.get(key);
        if (!previous || 'cut' in previous) return undefined;
        if (previous.name !== name) {
          throw new AgentdError({
            code: 'journal.nondeterministic',
            message: `task ${taskId} step ${key} was '${previous.name}' when first run but is '${name}' on resume`,
          });
        }
        return previous;
      }

      /** Journals an outcome decided without running the step (an interrupted step, a human answer). */
      const journal = {
        async record(record: StepRecord): Promise<void> {
          const envelope: Envelope =
            record.status === 'completed'
              ? { name: record.name, ok: record.output }
              : {
                  name: record.name,
                  failed: record.error ?? { code: 'task.interrupted', message: 'failed' },
                };
          await dbosStep(outcomeName(record.key), async () => envelope);
          recorded.set(record.key, envelope);
        },
      };

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
            stepOptions?: StepOptions<T>,
          ): Promise<T> {
            const key = `${path}${++nextSeq}`;
            signal.throwIfAborted();
            countStep(key);
            const previous = replay(key, name);
            if (previous) {
              hooks?.onStart?.(key);
              if ('failed' in previous) {
                hooks?.onEnd?.({ key, replayed: true, error: previous.failed });
                throw restoreError(previous.failed);
              }
              const output = fromJson<T>('ok' in previous ? previous.ok : null);
              hooks?.onEnd?.({ key, replayed: true, output });
              return output;
            }

            const once = stepOptions?.atMostOnce;
            const markedAt = startMarks.startedAt.get(key);
            if (once && markedAt !== undefined) {
              const reruns = startMarks.reruns.get(key) ?? 0;
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
              const rerun = rerunKey(key, reruns + 1);
              await dbosStep(markName(rerun), async (): Promise<Envelope> => ({
                name,
                started: clock.now(),
              }));
            } else if (once) {
              // Durable before the step runs: a resume that finds the mark and no outcome asks first.
              await dbosStep(markName(key), async (): Promise<Envelope> => ({ name, started: clock.now() }));
            }

            hooks?.onStart?.(key);
            let output: (T & NotFunction<T>) | undefined;
            let error: AgentdError | undefined;
            let envelope: Envelope;
            try {
              envelope = await dbosStep(outcomeName(key), async (): Promise<Envelope> => {
                // The step's store writes (its ledger row) commit before DBOS records the step: a
                // journaled call always has its cost row. Not one transaction: see ADR 0085.
                const writes: Promise<unknown>[] = [];
                const commitWith = (write: Promise<unknown>): void => void writes.push(write);
                try {
                  output = await fn({ key, signal, commitWith });
                  await Promise.all(writes);
                  return { name, ok: toJson<T>(output) ?? null };
                } catch (thrown) {
                  error = toAgentdError(thrown);
                  await Promise.allSettled(writes);
                  if (signal.aborted || endsTask(error)) return { name, cut: true };
                  return { name, failed: { code: error.code, message: error.message } };
                }
              });
            } catch (thrown) {
              // DBOS refused the step (the workflow was cancelled, or another worker owns it now).
              const refused = error ?? dbosError(thrown, signal);
              hooks?.onEnd?.({
                key,
                replayed: false,
                error: { code: refused.code, message: refused.message },
              });
              throw refused;
            }
            if (!('ok' in envelope) || error) {
              const failed =
                error ??
                restoreError(
                  'failed' in envelope ? envelope.failed : { code: 'task.interrupted', message: 'cut off' },
                );
              hooks?.onEnd?.({ key, replayed: false, error: { code: failed.code, message: failed.message } });
              throw failed;
            }
            hooks?.onEnd?.({ key, replayed: false, output: output as T });
            return output as T;
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
            if (previous && 'ok' in previous) return fromJson<HumanAnswer>(previous.ok);
            // The review store holds the question and the answer; the answer becomes a step here.
            const existing = await reviews.getByStep(taskId, key);
            if (existing?.status === 'answered' && existing.answer) {
              const answer: HumanAnswer = { reviewId: existing.id, ...existing.answer };
              await journal.record({
                taskId,
                key,
                name,
                status: 'completed',
                output: toJson(answer),
                error: null,
                startedAt: existing.createdAt,
                finishedAt: clock.now(),
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

/** One DBOS step; no retries (a model call's retries are the router's). */
function dbosStep<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return DBOS.runStep(fn, { name });
}

/** What a DBOS refusal means for the task. */
function dbosError(thrown: unknown, signal: AbortSignal): AgentdError {
  if (signal.aborted) return toAgentdError(signal.reason);
  const name = thrown instanceof Error ? thrown.constructor.name : '';
  if (name === 'DBOSWorkflowCancelledError') {
    return new AgentdError({ code: 'task.cancelled', message: 'the task was cancelled', cause: thrown });
  }
  return toAgentdError(thrown);
}
