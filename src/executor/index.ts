export type { DurableContext, DurableEngine, StepHooks } from './durable-context.js';
export { createJournalEngine } from './journal-engine.js';
export type { TaskResult } from './task-result.js';
export { createTaskRunner } from './task-runner.js';
export type { TaskRunner, TaskRunnerOptions, TaskScope, TaskWorkflow } from './task-runner.js';
