/** The events a task emits while it runs; persisted for replay and streamed over SSE. */
export interface TaskEventMap {
  'task-start': { taskId: string; prompt: string };
  /** `step` is the durable step key (`3`, `2.1/4`, …), unique within the task. */
  'step-start': { taskId: string; step: string; name: string; kind: 'model' | 'tool'; agent: string };
  'text-delta': { taskId: string; step: string; agent: string; delta: string };
  /**
   * A model call that had streamed text broke off and is tried again (the same model or another):
   * the text deltas of `step` shown so far are void, and the step's text starts over.
   */
  'step-restart': { taskId: string; step: string; agent: string; reason: { code: string; message: string } };
  'step-end': {
    taskId: string;
    step: string;
    name: string;
    kind: 'model' | 'tool';
    agent: string;
    replayed: boolean;
    inputTokens?: number;
    outputTokens?: number;
    costUsd?: number;
    /** Cumulative task cost after this step. */
    taskCostUsd?: number;
    /** The model's text, for model steps (text deltas are streamed live, not stored). */
    text?: string;
    error?: { code: string; message: string };
  };
  /** A foreign agent (LangGraph, Agents SDK, process, …) reported what it is doing. */
  'agent-progress': { taskId: string; agent: string; message: string };
  /** An agent finished; its output is part of the task's partial results if the task fails later. */
  'agent-end': { taskId: string; agent: string; output: string };
  /** The task waits for a human: it is suspended until the review is answered. */
  'review-requested': { taskId: string; reviewId: string; kind: string; question: string };
  'review-answered': { taskId: string; reviewId: string; decision: 'approve' | 'reject' | 'edit' };
  'task-end': { taskId: string; status: 'succeeded'; output: string | null; simulated: boolean };
  'task-error': { taskId: string; status: 'failed' | 'cancelled'; error: { code: string; message: string } };
}

/** One of the task event names. */
export type TaskEventType = keyof TaskEventMap;

/** Rewrites an event's data before it is stored and streamed, or withholds it (null). */
export type TaskEventShaper = <K extends TaskEventType>(
  type: K,
  data: TaskEventMap[K],
) => TaskEventMap[K] | null;

/** A task event as stored and streamed: type, payload and its per-task sequence number. */
export type TaskEvent = {
  [K in TaskEventType]: { type: K; seq: number; time: number; data: TaskEventMap[K] };
}[TaskEventType];

/**
 * Events streamed to live followers only, never stored: a text delta (the step-end event carries the
 * full text for replay, ADR 0002) and the restart that voids the deltas before it. Each carries the
 * sequence number of the stored event before it.
 */
export const LIVE_ONLY_EVENTS: ReadonlySet<TaskEventType> = new Set(['text-delta', 'step-restart']);

/** Event types after which a task emits nothing more. */
export const TERMINAL_EVENTS: ReadonlySet<TaskEventType> = new Set(['task-end', 'task-error']);

type Listener<M, K extends keyof M> = (payload: M[K]) => void;

// Hand-written: Node's EventEmitter is untyped and its error-event semantics do not fit here.
/** A small typed event emitter. */
export class TypedEmitter<M extends object> {
  readonly #listeners = new Map<keyof M, Set<Listener<M, keyof M>>>();

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends keyof M>(type: K, listener: Listener<M, K>): () => void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as Listener<M, keyof M>);
    return () => set.delete(listener as Listener<M, keyof M>);
  }

  /** Calls every listener of `type` synchronously. */
  emit<K extends keyof M>(type: K, payload: M[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of set) listener(payload);
  }
}
