export type {
  AtMostOnce,
  DurableContext,
  DurableEngine,
  HumanAnswer,
  HumanRequest,
  Settled,
  StepHooks,
  StepOptions,
  StepScope,
} from './durable-context.js';
export { ExecutorConfigSchema } from './executor-config.js';
export { createJournalEngine } from './journal-engine.js';
export { createLoopGuard } from './loop-guard.js';
export type { LoopGuard, LoopGuardOptions, ObservedAction } from './loop-guard.js';
export { callRole, MEMORY_RECALL_STEP, recallSummary, SYSTEM_AGENTS } from './task-result.js';
export type { TaskResult } from './task-result.js';
export type { InterruptedTask } from './task-adoption.js';
export { createTaskRunner } from './task-runner.js';
export type { TaskRunner, TaskRunnerOptions, TaskScope, TaskWorkflow, WaitOptions } from './task-runner.js';
export { TaskSuspendedError } from './task-suspended.js';
export type { ClusterStatus, WorkerInfo } from './cluster-status.js';
export type { DbosConfig } from './executor-config.js';
export type { TaskDispatcher } from './task-dispatcher.js';
