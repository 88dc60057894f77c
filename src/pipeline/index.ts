// The task pipeline (DESIGN.md §1) and the services users reach it through: the team workflow
// every task runs, the quality loop around it, the task's memory, judge calibration, the system
// agents, task planning, and the task, review, router, memory and audit services. Composed from the
// domains; it knows no adapter (no store implementation, no provider): runtime/ wires those in.
export { createApiKeyService } from './api-key-service.js';
export type { ApiKeyRequest, ApiKeyService, ApiKeyView } from './api-key-service.js';
export { createAuditLog, recordChange } from './audit-log.js';
export type { AuditedChange, AuditLog } from './audit-log.js';
export { calibrateJudges } from './calibrate-judges.js';
export type { CalibrationRequest } from './calibrate-judges.js';
export { checkEscalationAnswer, QUALITY_ESCALATION, runQualityLoop } from './quality-loop.js';
export type { QualityLoopDependencies, QualityLoopInput, QualityOutcome } from './quality-loop.js';
export { outputEventShaper } from './output-events.js';
export { createReviewService } from './review-service.js';
export type { ReviewService } from './review-service.js';
export { createRouterService } from './router-service.js';
export type {
  CircuitStatus,
  RouteExplainRequest,
  RouteExplanation,
  RouterService,
} from './router-service.js';
export { createRuntimeMemory } from './runtime-memory.js';
export type { RuntimeMemory } from './runtime-memory.js';
export { askSystemAgent } from './system-agents.js';
export type { SystemCallScope } from './system-agents.js';
export { acceptedTaskInput, parseTaskInput, TaskInputSchema } from './task-input.js';
export type { TaskInput, TaskRequest } from './task-input.js';
export { createTaskMemory } from './task-memory.js';
export type { TaskMemory, TaskMemoryContext, TaskMemoryDependencies } from './task-memory.js';
export { createTaskPlanner } from './task-plan.js';
export type { TaskPlan, TaskPlanner, TaskPlannerDependencies } from './task-plan.js';
export { createTaskService } from './task-service.js';
export type { InterruptedTaskView, TaskService } from './task-service.js';
export { createTaskRetention, MAX_LISTED_TASKS } from './task-retention.js';
export type {
  PrunedTask,
  PruneControl,
  PruneReport,
  PruneRequest,
  TaskRemoval,
  TaskRetention,
} from './task-retention.js';
export { createTeamWorkflow } from './team-workflow.js';
export type { TeamWorkflowDependencies } from './team-workflow.js';
export { createDailyBudget } from './daily-budget.js';
export { createGatewayService } from './gateway-service.js';
export type { GatewayHost, GatewayService, GatewayServiceDependencies } from './gateway-service.js';
