export { resolveInWorkspace } from './sandbox.js';
export * from './redact/index.js';
export { actorWith, adminActor, holds, PERMISSIONS, requirePermission } from './actor.js';
export type { Actor, Permission } from './actor.js';
export { compileLinearRegex } from './linear-regex.js';
export type { LinearMatch, LinearRegex } from './linear-regex.js';
export * from './vault/index.js';
