import { answerReview } from './answer-review.js';
import { cancelTask } from './cancel-task.js';
import { checkConfig } from './check-config.js';
import { createTask } from './create-task.js';
import { explainRoute } from './explain-route.js';
import type { Operation, StreamOperation } from './define-operation.js';
import { getTask } from './get-task.js';
import { health } from './health.js';
import { listModels } from './list-models.js';
import { listReviews } from './list-reviews.js';
import { listTasks } from './list-tasks.js';
import { listTopologies } from './list-topologies.js';
import {
  addMemory,
  editMemory,
  forgetMemory,
  getMemory,
  listAudit,
  listProcedures,
  memoryStats,
  reembedMemory,
  searchMemory,
} from './memory-operations.js';
import { routerStats } from './router-stats.js';
import { taskEvents } from './task-events.js';
import { taskSpans } from './task-spans.js';

export type { HttpBinding, Operation, Permission, StreamOperation } from './define-operation.js';
export { ErrorBodySchema, ReviewSchema, TaskResultSchema } from './schemas.js';
export { MemorySchema } from './memory-schemas.js';
export { invokeOperation } from './invoke-operation.js';
export {
  answerReview,
  cancelTask,
  checkConfig,
  createTask,
  explainRoute,
  getTask,
  health,
  listModels,
  listReviews,
  listTasks,
  listTopologies,
  routerStats,
  taskEvents,
  taskSpans,
  searchMemory,
  addMemory,
  memoryStats,
  listProcedures,
  reembedMemory,
  getMemory,
  editMemory,
  forgetMemory,
  listAudit,
};

/** Every request/response operation, in the order they are documented. */
export const operations: readonly Operation[] = [
  health,
  createTask,
  listTasks,
  getTask,
  cancelTask,
  taskSpans,
  listReviews,
  answerReview,
  listTopologies,
  listModels,
  explainRoute,
  routerStats,
  // Fixed paths (/v1/memory/stats) before the one with an id (/v1/memory/:id).
  searchMemory,
  addMemory,
  memoryStats,
  listProcedures,
  reembedMemory,
  getMemory,
  editMemory,
  forgetMemory,
  listAudit,
  checkConfig,
] as unknown as Operation[];

/** Every streaming operation. */
export const streamOperations: readonly StreamOperation[] = [taskEvents] as unknown as StreamOperation[];
