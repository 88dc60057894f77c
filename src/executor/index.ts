export type { DurableContext, DurableEngine, StepHooks } from './durable-context.js';
export { createJournalEngine } from './journal-engine.js';
