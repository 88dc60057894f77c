export { createRuntime } from './create-runtime.js';
export type { RuntimeOptions } from './create-runtime.js';
export type { ModelService, Runtime, RuntimeSettings } from './runtime.js';
export type { EmbeddingsCheck, SystemCheck } from './system-check.js';
export { acceptedTaskInput, parseTaskInput, TaskInputSchema } from '../pipeline/index.js';
export type {
  ApiKeyRequest,
  ApiKeyService,
  ApiKeyView,
  AuditLog,
  CircuitStatus,
  ReviewService,
  RouteExplainRequest,
  RouteExplanation,
  RouterService,
  RuntimeMemory,
  TaskInput,
  TaskRequest,
  TaskService,
} from '../pipeline/index.js';
export type { ListedModel } from '../models/index.js';
export type { SpanRecord } from '../store/trace-store.js';
export { openSecretVault } from './open-secret-vault.js';
export type { OpenedSecretVault } from './open-secret-vault.js';
export type { SecretVault } from '../security/index.js';
export { generateMasterKey, parseMasterKey } from '../security/index.js';
