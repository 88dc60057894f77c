export { createModelRouter } from './model-router.js';
export type {
  ModelRouter,
  ModelRouterOptions,
  RouteAttempt,
  RouteDecision,
  RouteRequest,
  RouterStat,
  RouteTrace,
} from './model-router.js';
export {
  ObjectiveSchema,
  RouteConstraintsSchema,
  RouterConfigSchema,
  RoutingSchema,
  StrategySchema,
} from './router-config.js';
export type { Objective, RouteConstraints, RouterConfig, Routing, Strategy } from './router-config.js';
export { selectModel } from './select-model.js';
export type { CandidateScore, Selection, SelectionContext, SelectionRequest } from './select-model.js';
export { createModelKnowledge, ALL_KINDS } from './model-knowledge.js';
export type { ModelKnowledge } from './model-knowledge.js';
export { seededRandom } from './random.js';
export { createTaskKindClassifier, DEFAULT_TASK_KINDS } from './task-kind.js';
export type { TaskKindClassifier, TaskKindDefinition, TaskKindResult } from './task-kind.js';
export { classifyModelError, describeModelFailure, modelErrorCode } from './classify-model-error.js';
export type { ClassifiedModelError, ModelErrorClass } from './classify-model-error.js';
