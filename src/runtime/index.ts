export { createRuntime } from './create-runtime.js';
export type {
  CircuitStatus,
  ListedModel,
  RouteExplainRequest,
  RouteExplanation,
  Runtime,
  RuntimeOptions,
} from './create-runtime.js';
export { TaskInputSchema } from './task-input.js';
export type { TaskInput } from './task-input.js';
export type { SpanRecord } from '../store/trace-store.js';
export type { Caller, RuntimeMemory } from './runtime-memory.js';
