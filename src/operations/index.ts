import { addMemory } from './add-memory.js';
import { answerReview } from './answer-review.js';
import { cancelTask } from './cancel-task.js';
import { checkConfig } from './check-config.js';
import { checkProviders } from './check-providers.js';
import { createKey } from './create-key.js';
import { checkUrl } from './check-url.js';
import { approveMcpTool } from './approve-mcp-tool.js';
import { listMcpTools } from './list-mcp-tools.js';
import { createTask } from './create-task.js';
import { deleteTask } from './delete-task.js';
import { pruneTasks } from './prune-tasks.js';
import type { Operation, StreamOperation } from './define-operation.js';
import { editMemory } from './edit-memory.js';
import { explainRoute } from './explain-route.js';
import { forgetMemory } from './forget-memory.js';
import { getMemory } from './get-memory.js';
import { getTask } from './get-task.js';
import { clusterStatus } from './cluster-status.js';
import { health } from './health.js';
import { listAudit } from './list-audit.js';
import { listKeys } from './list-keys.js';
import { listModels } from './list-models.js';
import { listProcedures } from './list-procedures.js';
import { listReviews } from './list-reviews.js';
import { listTasks } from './list-tasks.js';
import { listTopologies } from './list-topologies.js';
import { memoryStats } from './memory-stats.js';
import { redactPii } from './redact-pii.js';
import { reembedMemory } from './reembed-memory.js';
import { revokeKey } from './revoke-key.js';
import { resumeTask } from './resume-task.js';
import { routerStats } from './router-stats.js';
import { searchMemory } from './search-memory.js';
import { taskEvents } from './task-events.js';
import { taskSpans } from './task-spans.js';

export type {
  HttpBinding,
  Operation,
  OperationContext,
  ProgressUpdate,
  StreamOperation,
  TenancyScope,
} from './define-operation.js';
export type { Actor, Permission } from '../security/index.js';
export { actorWith, adminActor, requirePermission } from '../security/index.js';
export { ErrorBodySchema, ReviewSchema, TaskResultSchema } from './schemas.js';
export { MemorySchema } from './memory-schemas.js';
export { MAX_REDACT_CHARACTERS } from './redact-pii.js';
export { invokeOperation, invokeOperationWithInput, invokeStreamOperation } from './invoke-operation.js';
export {
  addMemory,
  answerReview,
  cancelTask,
  checkConfig,
  checkProviders,
  createKey,
  checkUrl,
  approveMcpTool,
  listMcpTools,
  createTask,
  deleteTask,
  pruneTasks,
  editMemory,
  explainRoute,
  forgetMemory,
  getMemory,
  getTask,
  clusterStatus,
  health,
  listAudit,
  listKeys,
  listModels,
  listProcedures,
  listReviews,
  listTasks,
  listTopologies,
  memoryStats,
  redactPii,
  reembedMemory,
  revokeKey,
  resumeTask,
  routerStats,
  searchMemory,
  taskEvents,
  taskSpans,
};

/** Every request/response operation, in the order they are documented. */
export const operations: readonly Operation[] = [
  health,
  clusterStatus,
  createTask,
  listTasks,
  // A fixed path (/v1/tasks/prune) before the ones with an id.
  pruneTasks,
  getTask,
  deleteTask,
  cancelTask,
  resumeTask,
  taskSpans,
  listReviews,
  answerReview,
  listTopologies,
  listModels,
  checkProviders,
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
  createKey,
  listKeys,
  revokeKey,
  checkUrl,
  redactPii,
  listMcpTools,
  approveMcpTool,
];

/** Every streaming operation. */
export const streamOperations: readonly StreamOperation[] = [taskEvents];
