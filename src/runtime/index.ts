export { createRuntime } from './create-runtime.js';
export type {
  CircuitStatus,
  ListedModel,
  RouteExplainRequest,
  RouteExplanation,
  Runtime,
  RuntimeOptions,
} from './create-runtime.js';
export { TaskInputSchema } from '../pipeline/index.js';
export type { TaskInput } from '../pipeline/index.js';
export type { SpanRecord } from '../store/trace-store.js';
export type { Caller, RuntimeMemory } from '../pipeline/index.js';
